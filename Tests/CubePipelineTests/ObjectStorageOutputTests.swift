import CubeFixtures
import CubeGen
import CubeSamples
import CubeStorageS3
import Foundation
import Testing

/// Cubes written to S3 (SeaweedFS on loopback, started by `make test`): the same objects as the
/// same recipe built locally, metadata last, only cubes replaced, no stale chunk after an
/// overwrite, nothing that looks like a cube after a failure, and clear errors.
@Suite(.serialized, .enabled(if: S3TestService.current != nil, "\(S3TestService.skipMessage)"))
struct ObjectStorageOutputTests {
    static var service: S3TestService? { S3TestService.current }

    /// Registries whose S3 backend takes the test credentials (as AWS tools read them from the environment).
    private func registries(secret: String? = nil) -> Registries {
        let service = Self.service!
        var registries = Registries.standard
        var storage = StorageRegistry.standard
        storage.registerS3(resolver: S3ConfigurationResolver(environment: [
            "AWS_ACCESS_KEY_ID": service.key, "AWS_SECRET_ACCESS_KEY": secret ?? service.secret, "AWS_REGION": "us-east-1",
            "HOME": "/nonexistent",
        ]))
        registries.storage = storage
        return registries
    }

    /// A new bucket's store.
    private func bucket() async throws -> (name: String, storage: any Storage) {
        let name = "cubegen-p-" + UUID().uuidString.lowercased().prefix(12).replacingOccurrences(of: "-", with: "")
        let storage = try registries().storage.openWritable(try StorageURL("s3://\(name)"), options: options)
        try await (storage as! S3Storage).createBucket()
        return (name, storage)
    }

    private var options: StorageOptions { StorageOptions(endpointURL: Self.service!.endpoint) }

    private func recipe(output: String, chunks: String = "{time: 3, y: 5, x: 5}", extra: String = "") -> String {
        """
        version: 1
        cube: {id: s3-test, title: S3 test, license: CC0-1.0}
        grid: {crs: EPSG:4326, bbox: [0, 40, 10, 50], resolution: 1}
        sources:
          - name: src
            store: netcdf
            paths: [in.nc]
            variables: {tas: {}, wet: {}}
        output:
          path: \(output)
          chunks: \(chunks)
          storage_options: {endpoint_url: "\(Self.service!.endpoint)"}
        \(extra)
        """
    }

    @discardableResult
    private func run(_ dir: TemporaryDirectory, _ text: String, overwrite: Bool = false, secret: String? = nil) async throws -> RunReport {
        if !FileManager.default.fileExists(atPath: dir.path("in.nc")) {
            try LinearFields.dataset(resolution: 1, days: [7305, 7306, 7307]).write(to: dir.path("in.nc"))
        }
        let pipeline = Pipeline(registries: registries(secret: secret))
        let plan = try await pipeline.plan(try pipeline.load(recipeAt: try dir.write("recipe.yaml", text)))
        return try await pipeline.run(plan, options: RunOptions(workers: 2, overwrite: overwrite))
    }

    /// Every object under `prefix` of `storage`, by key relative to the prefix.
    private func objects(_ storage: any Storage, _ prefix: String) async throws -> [String: [UInt8]] {
        var result: [String: [UInt8]] = [:]
        for key in try await storage.list(prefix: prefix + "/") {
            result[String(key.rawValue.dropFirst(prefix.count + 1))] = try await storage.get(key)
        }
        return result
    }

    /// The files of a local folder, by relative path.
    private func files(_ folder: String) throws -> [String: [UInt8]] {
        var result: [String: [UInt8]] = [:]
        for relative in try FileManager.default.subpathsOfDirectory(atPath: folder) {
            var isDirectory: ObjCBool = false
            guard FileManager.default.fileExists(atPath: folder + "/" + relative, isDirectory: &isDirectory), !isDirectory.boolValue else { continue }
            result[relative] = [UInt8](try Data(contentsOf: URL(fileURLWithPath: folder + "/" + relative)))
        }
        return result
    }

    /// Keys whose bytes do not record the time of the run.
    private func timeless(_ objects: [String: [UInt8]]) -> [String: [UInt8]] {
        objects.filter { key, _ in
            !["lineage.json", ".zattrs", ".zmetadata", "zarr.json", ".cubegen/finalized"].contains(key) && !key.hasPrefix("quicklooks/")
        }
    }

    @Test(arguments: ["", "  format: zarr3\n  shards: {time: 3, y: 10, x: 10}\n  checksum: crc32c"])
    func aCubeOnS3HasTheObjectsOfTheSameCubeBuiltLocally(_ format: String) async throws {
        let dir = try TemporaryDirectory("s3out")
        defer { dir.remove() }
        let (name, storage) = try await bucket()
        func withFormat(_ text: String) -> String { text.replacingOccurrences(of: "  storage_options:", with: format + "\n  storage_options:") }
        try await run(dir, withFormat(recipe(output: dir.path("local.zarr"))))
        let report = try await run(dir, withFormat(recipe(output: "s3://\(name)/cubes/s3-test.zarr")))
        #expect(report.outputPath == "s3://\(name)/cubes/s3-test.zarr")
        #expect(report.catalogPath == "s3://\(name)/cubes/s3-test.stac.json")
        let remote = try await objects(storage, "cubes/s3-test.zarr"), local = try files(dir.path("local.zarr"))
        #expect(Set(remote.keys) == Set(local.keys))
        #expect(timeless(remote) == timeless(local), "every chunk, array document and chunks.sha256")
        #expect(!remote.keys.contains(".cubegen-staging"))
        // The STAC entry went beside the cube, with a relative href to it.
        let item = try #require(try await storage.get("cubes/s3-test.item.json"))
        #expect(try JSONValue.parse(item)["assets"]?["zarr"]?["href"]?.stringValue == "./s3-test.zarr")
        // cubegen verify reads it from the bucket as thoroughly as a local cube, STAC included.
        let verdict = try await CubeVerifier(cubePath: "s3://\(name)/cubes/s3-test.zarr", decodeChunks: true,
                                             storage: registries().storage, options: options).verify()
        #expect(verdict.isValid, "\(verdict.problems)")
        #expect(verdict.catalogPath == "s3://\(name)/cubes/s3-test.stac.json")
        #expect(verdict.problems.filter { $0.severity == .error }.isEmpty)
        // The secret is in no object the run wrote (cube, lineage, STAC) and in no report text.
        for (key, bytes) in try await objects(storage, "cubes") {
            #expect(!String(decoding: bytes, as: UTF8.self).contains(Self.service!.secret), "the secret appears in \(key)")
        }
        #expect(!"\(report)".contains(Self.service!.secret) && !report.summary.contains(Self.service!.secret))
    }

    @Test func onlyCubesAreReplacedAndNoStaleChunkSurvivesAnOverwrite() async throws {
        let dir = try TemporaryDirectory("s3out")
        defer { dir.remove() }
        let (name, storage) = try await bucket()
        let cube = "s3://\(name)/c/cube.zarr"
        try await run(dir, recipe(output: cube))
        // The same recipe again: up to date, nothing written. Another recipe without overwrite:
        // refused, the cube untouched.
        let before = try await objects(storage, "c/cube.zarr")
        #expect(try await run(dir, recipe(output: cube)).upToDate)
        await #expect(throws: CubeError.self) { try await run(dir, recipe(output: cube, chunks: "{time: 3, y: 10, x: 10}")) }
        #expect(try await objects(storage, "c/cube.zarr") == before)
        // With overwrite and other chunks: every old chunk this run did not write is gone.
        try await run(dir, recipe(output: cube, chunks: "{time: 3, y: 10, x: 10}"), overwrite: true)
        let after = try await objects(storage, "c/cube.zarr")
        #expect(after["tas/0.0.0"] != nil && after["tas/0.1.1"] == nil && after["tas/0.0.1"] == nil)
        #expect(Set(after.keys.filter { $0.hasPrefix("tas/") && !$0.hasPrefix("tas/.") }) == ["tas/0.0.0"])
        // A prefix holding a foreign object is refused even with overwrite, before anything is touched.
        try await storage.set("c/cube.zarr/notes.txt", to: Array("mine".utf8))
        let withNotes = try await objects(storage, "c/cube.zarr")
        do {
            try await run(dir, recipe(output: cube), overwrite: true)
            Issue.record("a prefix with a foreign object was replaced")
        } catch let error as CubeError {
            #expect(error.code == .outputExists)
            #expect(error.message.contains("holds 'notes.txt', which is not part of a Zarr cube"), "\(error.message)")
        }
        #expect(try await objects(storage, "c/cube.zarr") == withNotes)
        // A bucket root is never an output.
        do {
            try await run(dir, recipe(output: "s3://\(name)"), overwrite: true)
            Issue.record("a bucket root was accepted")
        } catch let error as CubeError {
            #expect(error.message.contains("is a bucket root"), "\(error.message)")
        }
        // A file where the STAC Collection goes that is not a STAC document stops the run first.
        try await storage.set("d/cube.stac.json", to: Array("my notes".utf8))
        await #expect(throws: CubeError.self) { try await run(dir, recipe(output: "s3://\(name)/d/cube.zarr")) }
        #expect(try await storage.list(prefix: "d/").map(\.rawValue) == ["d/cube.stac.json"])
    }

    @Test func aCubeOnS3GrowsInPlaceAndAnUpToDateRunWritesNothing() async throws {
        let dir = try TemporaryDirectory("s3out")
        defer { dir.remove() }
        let (name, storage) = try await bucket()
        let log = WriteLog()
        var registries = registries()
        let plain = registries.storage
        registries.storage.register(scheme: "s3") { url, options in
            WriteLoggingStorage(try plain.openWritable(url, options: options), log: log)
        }
        func text(_ output: String) -> String {
            recipe(output: output).replacingOccurrences(of: "paths: [in.nc]", with: "paths: [\(dir.path("m"))*.nc]")
        }
        func run(_ output: String) async throws -> RunReport {
            let pipeline = Pipeline(registries: registries)
            let plan = try await pipeline.plan(try pipeline.load(recipeAt: try dir.write("grow.yaml", text(output))))
            return try await pipeline.run(plan, options: RunOptions(workers: 2))
        }
        try LinearFields.dataset(resolution: 1, days: [7305, 7306, 7307, 7308, 7309]).write(to: dir.path("m1.nc"))
        let cube = "s3://\(name)/g/cube.zarr"
        _ = try await run(cube)
        _ = log.take()
        // Up to date: the request log holds not one write.
        #expect(try await run(cube).upToDate)
        #expect(log.take().isEmpty)
        // Five more days: blocks 1 (was partial), 2 and 3 are written; block 0 is not.
        try LinearFields.dataset(resolution: 1, days: [7310, 7311, 7312, 7313, 7314]).write(to: dir.path("m2.nc"))
        let grown = try await run(cube)
        #expect(grown.tasksSkipped == 4 && grown.tasks == 12, "\(grown.summary)")
        // Keys relative to the cube's prefix.
        let chunkWrites = Set(log.take().filter { $0.hasPrefix("PUT ") }.map { String($0.dropFirst(4)) }
            .filter { ($0.hasPrefix("tas/") || $0.hasPrefix("wet/")) && !$0.contains("/.z") })
        let expected = Set(["tas", "wet"].flatMap { v in (1...3).flatMap { t in [0, 1].flatMap { y in [0, 1].map { x in "\(v)/\(t).\(y).\(x)" } } } })
        #expect(chunkWrites == expected)
        // The same bytes as a local cube built from both files at once.
        _ = try await run(dir.path("local.zarr"))
        let remote = timeless(try await objects(storage, "g/cube.zarr")), local = timeless(try files(dir.path("local.zarr")))
        #expect(remote.filter { !$0.key.hasPrefix(".cubegen/tasks") } == local.filter { !$0.key.hasPrefix(".cubegen/tasks") })
    }

    @Test func aFailedRunLeavesNothingThatLooksLikeACubeAndSaysWhatItLeft() async throws {
        let dir = try TemporaryDirectory("s3out")
        defer { dir.remove() }
        let (name, storage) = try await bucket()
        try LinearFields.dataset(resolution: 1, days: [7305, 7306, 7307]).write(to: dir.path("in.nc"))
        let pipeline = Pipeline(registries: registries())
        let plan = try await pipeline.plan(try pipeline.load(recipeAt: try dir.write("recipe.yaml", recipe(output: "s3://\(name)/f/cube.zarr"))))
        // The input disappears after planning: reading it fails mid-run.
        try FileManager.default.removeItem(atPath: dir.path("in.nc"))
        do {
            _ = try await pipeline.run(plan, options: RunOptions(workers: 2))
            Issue.record("the run succeeded without its input")
        } catch let error as CubeError {
            #expect(error.message.contains("in.nc"), "\(error.message)")
        }
        let left = try await storage.list(prefix: "f/").map(\.rawValue)
        #expect(!left.contains("f/cube.zarr/.zmetadata") && !left.contains("f/cube.zarr/.zgroup"))
        #expect(!left.contains("f/cube.stac.json"))
        // A later run replaces what the failed one left without needing overwrite.
        try LinearFields.dataset(resolution: 1, days: [7305, 7306, 7307]).write(to: dir.path("in.nc"))
        try await run(dir, recipe(output: "s3://\(name)/f/cube.zarr"))
        #expect(try await storage.get("f/cube.zarr/.zmetadata") != nil)
    }

    @Test func wrongCredentialsAndAnUnreachableEndpointAreClearErrors() async throws {
        let dir = try TemporaryDirectory("s3out")
        defer { dir.remove() }
        let (name, _) = try await bucket()
        do {
            try await run(dir, recipe(output: "s3://\(name)/w/cube.zarr"), secret: "not-the-secret-123456")
            Issue.record("wrong credentials were accepted")
        } catch let error as CubeError {
            #expect(error.code == .storage)
            #expect(error.message.contains(name), "\(error.message)")
            #expect(error.message.contains("denied"), "\(error.message)")
            #expect(!error.message.contains("not-the-secret-123456"))
        }
        let start = Date()
        let unreachable = recipe(output: "s3://\(name)/w/cube.zarr").replacingOccurrences(of: Self.service!.endpoint, with: "http://127.0.0.1:9")
        do {
            try await run(dir, unreachable)
            Issue.record("an unreachable endpoint was accepted")
        } catch let error as CubeError {
            #expect(error.code == .storage, "\(error.message)")
        }
        #expect(Date().timeIntervalSince(start) < 30, "fails within seconds, not minutes")
    }
}

