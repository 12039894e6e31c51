import CubeFixtures
import CubeGen
import CubeSamples
import CubeStorageS3
import Foundation
import Testing

/// Cubes built from Zarr inputs (`store: zarr`): a cube regridded from a cube CubeGen built equals
/// the direct build from the NetCDF inputs; an xcube pyramid feeds the level that fits the target;
/// the same Zarr input on S3 gives the same cube as on disk.
@Suite(.serialized) struct ZarrInputEndToEndTests {
    /// A projected target inside the 1° copy [-5, 15] × [10, 34] (land, sea band, land): Web Mercator at 50 km.
    static let target = """
        grid:
          crs: EPSG:3857
          bbox: [-300000, 1300000, 1400000, 3900000]
          resolution: 50000
        """

    private func recipe(_ name: String, store: String, path: String, grid: String = target, output: String = "",
                        variables: String = "tas: {}\n      wet: {resampling: average}\n      pk: {resampling: nearest}",
                        storageOptions: String = "") -> String {
        """
        version: 1
        cube: {id: \(name), title: Zarr input test, license: CC0-1.0}
        \(grid)
        sources:
          - name: src
            store: \(store)
            paths: ["\(path)"]\(storageOptions)
            variables:
              \(variables)
        output:
          path: \(name).zarr
          chunks: {time: 2, y: 8, x: 8}
        \(output)
        """
    }

    @discardableResult
    private func build(_ dir: TemporaryDirectory, _ name: String, _ text: String, pipeline: Pipeline = Pipeline()) async throws -> CubePlan {
        let plan = try await pipeline.plan(try pipeline.load(recipeAt: try dir.write("\(name).yaml", text)))
        _ = try await pipeline.run(plan, options: RunOptions(workers: 2))
        return plan
    }

    /// Whether two decoded variables agree within float32 rounding (NaN where the other is NaN).
    private func agree(_ a: [Double], _ b: [Double]) -> Bool {
        a.count == b.count && zip(a, b).allSatisfy { x, y in
            (x.isNaN && y.isNaN) || abs(x - y) <= 4 * Double(Float.ulpOfOne) * max(1, abs(x))
        }
    }

    @Test func aCubeRegriddedFromAnOwnCubeEqualsTheDirectBuild() async throws {
        let dir = try TemporaryDirectory("zarr-regrid")
        defer { dir.remove() }
        try LinearFields.dataset(resolution: 1, days: [7305, 7306, 7307]).write(to: dir.path("in.nc"))
        let geographic = "grid:\n  crs: EPSG:4326\n  bbox: [-5, 10, 15, 34]\n  resolution: 1"
        // The NetCDF inputs copied onto their own grid: once as Zarr v2, once as sharded Zarr v3 with checksums.
        try await build(dir, "copy2", recipe("copy2", store: "netcdf", path: "in.nc", grid: geographic))
        try await build(dir, "copy3", recipe("copy3", store: "netcdf", path: "in.nc", grid: geographic,
                                             output: "  format: zarr3\n  shards: {time: 2, lat: 8, lon: 16}\n  checksum: crc32c"))
        try await build(dir, "direct", recipe("direct", store: "netcdf", path: "in.nc"))
        let from2 = try await build(dir, "from2", recipe("from2", store: "zarr", path: "copy2.zarr"))
        try await build(dir, "from3", recipe("from3", store: "zarr", path: "copy3.zarr"))
        #expect(from2.sources[0].files[0].format == "Zarr v2, consolidated")
        let direct = CubeReader(path: dir.path("direct.zarr"))
        for name in ["tas", "wet", "pk", "time", "x", "y"] {
            let expected = try await direct.read(name)
            #expect(expected.values.contains { !$0.isNaN }, "\(name) has values")
            for cube in ["from2", "from3"] {
                let other = try await CubeReader(path: dir.path("\(cube).zarr")).read(name)
                #expect(other.shape == expected.shape, "\(cube) \(name)")
                #expect(agree(other.values, expected.values), "\(cube) \(name)")
            }
        }
    }

    @Test func anXcubePyramidFeedsTheCoarsestLevelNotCoarserThanTheTarget() async throws {
        let dir = try TemporaryDirectory("zarr-pyramid")
        defer { dir.remove() }
        let root = dir.path("cube.levels")
        let levels = [1.0, 2.0, 4.0].enumerated().map { k, resolution in
            ZarrInputFixture(format: .v2, nx: Int(48 / resolution), ny: Int(40 / resolution), resolution: resolution, west: -8, north: 44)
        }
        for (k, level) in levels.enumerated() {
            try await level.write(to: FileSystemStorage(root: URL(fileURLWithPath: root + "/\(k).zarr")))
        }
        try dir.write("cube.levels/.zlevels", #"{"version": "1.0", "num_levels": 3}"#)
        let grid = "grid:\n  crs: EPSG:4326\n  bbox: [0, 10, 30, 35]\n  resolution: 2.5"
        let plan = try await build(dir, "pyramid", recipe("pyramid", store: "zarr", path: "cube.levels", grid: grid, variables: "tas: {resampling: bilinear}"))
        let file = plan.sources[0].files[0]
        #expect(file.level?.index == 1 && file.level?.path == "1.zarr" && file.grid.width == 24)
        #expect(plan.summary(workers: 1).contains("level 1 (1.zarr) of 3"))
        // Bilinear of a linear field is exact: the cube holds the field at the target centres.
        let tas = try await CubeReader(path: dir.path("pyramid.zarr")).read("tas")
        #expect(tas.shape == [3, 10, 12])
        let lon0 = 1.25, lat0 = 33.75
        #expect(abs(tas.values[0] - LinearFields.temperature(lon0, lat0, 7305)) < 1e-3)
        let lineage = try String(contentsOfFile: dir.path("pyramid.zarr/lineage.json"), encoding: .utf8)
        #expect(lineage.contains("\"level_path\"") && lineage.contains("1.zarr"))
        // A finer target reads level 0.
        let fine = try await Pipeline().plan(try Pipeline().load(recipeAt: try dir.write("fine.yaml",
            recipe("fine", store: "zarr", path: "cube.levels", grid: "grid:\n  crs: EPSG:4326\n  bbox: [0, 10, 30, 35]\n  resolution: 1.25",
                   variables: "tas: {}"))))
        #expect(fine.sources[0].files[0].level?.index == 0)
        // A target of exactly a level's resolution reads that level.
        let exact = try await Pipeline().plan(try Pipeline().load(recipeAt: try dir.write("exact.yaml",
            recipe("exact", store: "zarr", path: "cube.levels", grid: "grid:\n  crs: EPSG:4326\n  bbox: [0, 12, 32, 36]\n  resolution: 4",
                   variables: "tas: {}"))))
        #expect(exact.sources[0].files[0].level?.index == 2)
    }

    @Test func aDatasetChangedAfterPlanningIsNotRead() async throws {
        let dir = try TemporaryDirectory("zarr-changed")
        defer { dir.remove() }
        let input = FileSystemStorage(root: URL(fileURLWithPath: dir.path("in.zarr")))
        try await ZarrInputFixture(format: .v3, nx: 20, ny: 20, west: 0, north: 40).write(to: input)
        let grid = "grid:\n  crs: EPSG:4326\n  bbox: [2, 24, 18, 38]\n  resolution: 2"
        let pipeline = Pipeline()
        let plan = try await pipeline.plan(try pipeline.load(recipeAt: try dir.write("changed.yaml",
            recipe("changed", store: "zarr", path: "in.zarr", grid: grid, variables: "tas: {}"))))
        // Another time step appended after planning.
        try await ZarrInputFixture(format: .v3, nx: 20, ny: 20, west: 0, north: 40, days: [7305, 7306, 7307, 7308]).write(to: input)
        let error = try await #require(throws: CubeError.self) { _ = try await pipeline.run(plan, options: RunOptions(workers: 1)) }
        #expect(error.code == .invalidInput && error.message.contains("in.zarr' changed after planning"))
    }

    @Test(.enabled(if: LoopbackFileServer.isAvailable, "needs \(LoopbackFileServer.python) for a loopback web server"))
    func zarrInputsOverPlainHTTPGiveTheSameCube() async throws {
        let dir = try TemporaryDirectory("zarr-http")
        defer { dir.remove() }
        let zstd = ZarrCodecChain(compressor: .object([("id", .string("zstd")), ("level", .int(3))]))
        let inputs = [("v2", ZarrInputFixture(format: .v2, nx: 40, ny: 30, resolution: 0.5, west: -4, north: 40, codecs: zstd)),
                      ("v3", ZarrInputFixture(format: .v3, nx: 40, ny: 30, resolution: 0.5, west: -4, north: 40, chunks: [1, 8, 8],
                                              shards: [2, 16, 16], codecs: zstd))]
        let server = try LoopbackFileServer(folder: dir.path("served"))
        defer { server.stop() }
        let grid = "grid:\n  crs: EPSG:4326\n  bbox: [0, 27, 14, 37]\n  resolution: 1"
        for (name, fixture) in inputs {
            try await fixture.write(to: FileSystemStorage(root: URL(fileURLWithPath: dir.path("served/\(name).zarr"))))
            try await build(dir, "local-\(name)", recipe("local-\(name)", store: "zarr", path: "served/\(name).zarr", grid: grid,
                                                       variables: "tas: {}\n      pk: {resampling: average}"))
            // Python's http.server answers ranged GETs with the whole object: the storage slices it.
            try await build(dir, "web-\(name)", recipe("web-\(name)", store: "zarr", path: "\(server.base)/\(name).zarr", grid: grid,
                                                     variables: "tas: {}\n      pk: {resampling: average}"))
            for variable in ["tas", "pk"] {
                let a = try await CubeReader(path: dir.path("local-\(name).zarr")).read(variable)
                let b = try await CubeReader(path: dir.path("web-\(name).zarr")).read(variable)
                #expect(a.shape == b.shape && agree(a.values, b.values) && a.values.contains { !$0.isNaN }, "\(name) \(variable)")
            }
        }
    }

    @Test(.enabled(if: S3TestService.current != nil, "\(S3TestService.skipMessage)"))
    func theSameZarrInputOnS3GivesTheSameCube() async throws {
        let service = try #require(S3TestService.current)
        let dir = try TemporaryDirectory("zarr-s3")
        defer { dir.remove() }
        let fixture = ZarrInputFixture(format: .v3, nx: 48, ny: 40, resolution: 0.5, west: -4, north: 40,
                                       chunks: [1, 8, 8], shards: [1, 16, 16], codecs: ZarrCodecChain(compressor: .object([("id", .string("zstd")), ("level", .int(3))]), checksum: true))
        try await fixture.write(to: FileSystemStorage(root: URL(fileURLWithPath: dir.path("in.zarr"))))
        let configuration = S3Configuration(endpoint: try S3Endpoint(url: service.endpoint), region: "us-east-1",
                                            credentials: S3Credentials(accessKeyID: service.key, secretAccessKey: service.secret))
        let bucket = "cubegen-zin-" + UUID().uuidString.lowercased().prefix(8)
        let owner = S3Storage(bucket: bucket, configuration: configuration)
        try await owner.createBucket()
        let remote = S3Storage(bucket: bucket, prefix: "inputs/in.zarr", configuration: configuration)
        let local = FileSystemStorage(root: URL(fileURLWithPath: dir.path("in.zarr")))
        for key in try await local.list(prefix: "") { try await remote.set(key, to: try #require(try await local.get(key))) }

        var registries = Registries.standard
        registries.storage.registerS3(resolver: S3ConfigurationResolver(environment: [
            "AWS_ACCESS_KEY_ID": service.key, "AWS_SECRET_ACCESS_KEY": service.secret, "HOME": "/nonexistent"]))
        let cache = dir.path("cache")
        let pipeline = Pipeline(registries: registries, inputCache: InputCache(directory: cache))
        let grid = "grid:\n  crs: EPSG:4326\n  bbox: [2, 26, 14, 36]\n  resolution: 1"
        let variables = "tas: {}\n      pk: {resampling: average}"
        try await build(dir, "local", recipe("local", store: "zarr", path: "in.zarr", grid: grid, variables: variables))
        try await build(dir, "remote", recipe("remote", store: "zarr", path: "s3://\(bucket)/inputs/in.zarr", grid: grid, variables: variables,
                                              storageOptions: "\n    storage_options: {endpoint_url: \"\(service.endpoint)\", region: us-east-1}"),
                        pipeline: pipeline)
        let a = CubeReader(path: dir.path("local.zarr")), b = CubeReader(path: dir.path("remote.zarr"))
        for name in ["tas", "pk", "lat", "lon", "time"] {
            let expected = try await a.read(name), actual = try await b.read(name)
            #expect(expected.shape == actual.shape && agree(expected.values, actual.values), "\(name)")
        }
        // Read in place: nothing went through the input cache.
        let cached = (try? FileManager.default.contentsOfDirectory(atPath: cache)) ?? []
        #expect(cached.isEmpty)
    }
}
