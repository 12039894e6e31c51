import CubeFixtures
import CubeGen
import CubeStorageS3
import Foundation
import Testing

/// GeoTIFF tiles in an S3 bucket (SeaweedFS on loopback, from `CUBEGEN_TEST_S3_*`) are read by
/// byte range, never downloaded, and give the same cube as the local files.
@Suite(.serialized, .enabled(if: S3TestService.current != nil, "\(S3TestService.skipMessage)"))
struct RemoteGeoTIFFTests {
    let service = S3TestService.current!

    private func recipe(paths: String, options: String = "") -> String {
        """
        version: 1
        cube: {id: remote-tiles, title: Remote GeoTIFF tiles, license: CC0-1.0}
        grid: {crs: EPSG:32632, bbox: [500000, 4994000, 506000, 5000000], resolution: 200}
        sources:
          - name: tiles
            store: geotiff
            paths: [\(paths)]
            time_from_name: "tile_{date:%Y%m%d}_*.tif"
            bands: {1: v}
        \(options)
            variables:
              v: {resampling: bilinear}
        output: {path: out.zarr, chunks: {time: 1, y: 16, x: 16}}
        """
    }

    @Test func s3TilesAreReadByRangeAndMatchLocalFiles() async throws {
        let local = try TemporaryDirectory("gt-local"), remote = try TemporaryDirectory("gt-s3")
        defer { local.remove(); remote.remove() }
        // Two overlapping tiles of one date, 100 m pixels, 32 × 32 tiles.
        var names: [String: [UInt8]] = [:]
        for (name, x) in [("tile_20240601_a.tif", 500_000.0), ("tile_20240601_b.tif", 503_000.0)] {
            var fixture = GeoTIFFFixture(width: 40, height: 60, bands: [(0..<2400).map { Double($0 % 40) + x / 1000 + Double($0 / 40) * 0.5 }])
            fixture.tile = (32, 32)
            fixture.origin = (x, 5_000_000, 100, 100)
            try fixture.write(to: local.path(name))
            names[name] = fixture.bytes()
        }
        let localRecipe = try local.write("recipe.yaml", recipe(paths: "tile_*.tif"))
        let localPipeline = Pipeline()
        _ = try await localPipeline.run(try await localPipeline.plan(try localPipeline.load(recipeAt: localRecipe)),
                                        options: RunOptions(workers: 2, overwrite: true))
        let expected = try await CubeReader(path: local.path("out.zarr")).read("v")

        let bucket = "cubegen-gt-" + UUID().uuidString.lowercased().prefix(8)
        let configuration = S3Configuration(endpoint: try S3Endpoint(url: service.endpoint), region: "us-east-1",
                                            credentials: S3Credentials(accessKeyID: service.key, secretAccessKey: service.secret))
        let storage = S3Storage(bucket: String(bucket), configuration: configuration)
        try await storage.createBucket()
        for (name, bytes) in names { try await storage.set(StoreKey("tiles/" + name), to: bytes) }
        var registries = Registries.standard
        let resolver = S3ConfigurationResolver(environment: ["AWS_ACCESS_KEY_ID": service.key, "AWS_SECRET_ACCESS_KEY": service.secret,
                                                            "HOME": "/nonexistent"])
        registries.storage.registerS3(resolver: resolver)
        let pipeline = Pipeline(registries: registries, inputCache: InputCache(directory: remote.path("cache")))
        let text = recipe(paths: "\"s3://\(bucket)/tiles/*.tif\"",
                          options: "    storage_options: {endpoint_url: \"\(service.endpoint)\", region: us-east-1}")
        let path = try remote.write("recipe.yaml", text)
        _ = try await pipeline.run(try await pipeline.plan(try pipeline.load(recipeAt: path)), options: RunOptions(workers: 2, overwrite: true))
        let got = try await CubeReader(path: remote.path("out.zarr")).read("v")
        #expect(got.shape == expected.shape && got.values.elementsEqual(expected.values) { $0 == $1 || ($0.isNaN && $1.isNaN) })
        #expect(expected.values.contains { !$0.isNaN })
        #expect(await pipeline.inputCache.statistics.downloads == 0)
    }
}
