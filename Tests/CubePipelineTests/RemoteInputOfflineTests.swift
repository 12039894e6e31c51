import CubeFixtures
import CubeGen
import CubeStorageS3
import Foundation
import Testing

/// Remote-input failures that need no service: an unreachable endpoint fails within seconds and an
/// unknown scheme names the known ones, both in one line naming the URL.
@Suite struct RemoteInputOfflineTests {
    private func plan(paths: String, endpoint: String, in dir: TemporaryDirectory) async throws {
        var registries = Registries.standard
        let resolver = S3ConfigurationResolver(environment: ["AWS_ACCESS_KEY_ID": "AKIDOFFLINE", "AWS_SECRET_ACCESS_KEY": "offline-secret",
                                                            "HOME": "/nonexistent"])
        registries.storage.registerS3(resolver: resolver) { $0.retry = RetryPolicy(maximumAttempts: 2, baseDelay: .milliseconds(50)) }
        let pipeline = Pipeline(registries: registries, inputCache: InputCache(directory: dir.path("cache")))
        let path = try dir.write("recipe.yaml", """
            version: 1
            cube: {id: offline, title: Offline, license: CC0-1.0}
            grid: {crs: EPSG:4326, bbox: [0, 0, 10, 10], resolution: 1}
            sources:
              - name: src
                store: netcdf
                paths: [\(paths)]
                storage_options: {endpoint_url: "\(endpoint)"}
                variables: {tas: {}}
            output: {path: out.zarr}
            """)
        _ = try await pipeline.plan(try pipeline.load(recipeAt: path))
    }

    @Test func anUnreachableEndpointFailsWithinSeconds() async throws {
        let dir = try TemporaryDirectory("offline")
        defer { dir.remove() }
        let clock = ContinuousClock()
        let start = clock.now
        do {
            try await plan(paths: "\"s3://cubegen-offline/in/*.nc\"", endpoint: "http://127.0.0.1:1", in: dir)
            Issue.record("an unreachable endpoint must fail")
        } catch let error as CubeError {
            #expect((error.underlying as? StorageError)?.code == .transient)
            #expect(error.message.contains("s3://cubegen-offline"), "\(error.message)")
            #expect(!error.message.contains("\n") && !error.message.contains("offline-secret"))
        }
        #expect(clock.now - start < .seconds(15))
    }

    @Test func anUnknownSchemeNamesTheKnownOnes() async throws {
        let dir = try TemporaryDirectory("offline")
        defer { dir.remove() }
        do {
            try await plan(paths: "\"gs://bucket/a.nc\"", endpoint: "http://127.0.0.1:1", in: dir)
            Issue.record("an unknown scheme must fail")
        } catch let error as CubeError {
            #expect(error.message == "cannot open 'gs://bucket': unknown storage scheme 'gs' (known: file, http, https, s3) [invalid]")
            #expect(error.code == .invalidInput)
        }
    }
}
