import CubeFixtures
import CubeGen
import CubeSamples
import CubeStorageS3
import Foundation
import Testing

/// Cubes built from `s3://` globs and `http://` URLs against a real S3 service (SeaweedFS on
/// loopback, from `CUBEGEN_TEST_S3_*`): the same chunks as from local files, one download per
/// object version, and one-line errors that name the URL.
@Suite(.serialized, .enabled(if: S3TestService.current != nil, "\(S3TestService.skipMessage)"))
struct RemoteInputTests {
    static let wrongSecret = "WRONG-SECRET-MARKER-4d1e"

    let service = S3TestService.current!

    /// A store on `bucket` with the test identity (created when missing).
    private func owner(_ bucket: String) async throws -> S3Storage {
        let configuration = S3Configuration(endpoint: try S3Endpoint(url: service.endpoint), region: "us-east-1",
                                            credentials: S3Credentials(accessKeyID: service.key, secretAccessKey: service.secret))
        let storage = S3Storage(bucket: bucket, configuration: configuration)
        try await storage.createBucket()
        return storage
    }

    private func freshBucket() -> String { "cubegen-in-" + UUID().uuidString.lowercased().prefix(12).replacingOccurrences(of: "-", with: "") }

    /// A pipeline whose S3 credentials come from a private environment (not the process's), and
    /// whose input cache is `cache`.
    private func pipeline(cache: String, secret: String? = nil) -> Pipeline {
        var registries = Registries.standard
        let resolver = S3ConfigurationResolver(environment: ["AWS_ACCESS_KEY_ID": service.key,
                                                            "AWS_SECRET_ACCESS_KEY": secret ?? service.secret,
                                                            "HOME": "/nonexistent"])
        registries.storage.registerS3(resolver: resolver) {
            $0.retry = RetryPolicy(maximumAttempts: 2, baseDelay: .milliseconds(50), totalTime: .seconds(5))
        }
        return Pipeline(registries: registries, inputCache: InputCache(directory: cache))
    }

    private func recipe(paths: [String], anonymous: Bool = false) -> String {
        """
        version: 1
        cube: {id: remote-cube, title: Remote inputs, license: CC0-1.0}
        grid:
          crs: EPSG:4326
          bbox: [-20, 10, 40, 40]
          resolution: 0.5
        sources:
          - name: src
            store: netcdf
            paths: [\(paths.map { "\"\($0)\"" }.joined(separator: ", "))]
            storage_options: {endpoint_url: "\(service.endpoint)", region: us-east-1\(anonymous ? ", anon: true" : "")}
            variables:
              tas: {}
              wet: {}
        output:
          path: out.zarr
          chunks: {time: 2, y: 16, x: 16}
          compressor: {id: blosc, cname: zstd, clevel: 3, shuffle: bitshuffle}
        """
    }

    /// Two input files (days 7308–7309 and 7305–7307) as bytes, by name.
    private func inputs(_ dir: TemporaryDirectory) throws -> [String: [UInt8]] {
        try LinearFields.dataset(resolution: 1, days: [7308, 7309]).write(to: dir.path("a_later.nc"))
        try LinearFields.dataset(resolution: 1, days: [7305, 7306, 7307]).write(to: dir.path("b_earlier.nc"))
        return try ["a_later.nc", "b_earlier.nc"].reduce(into: [:]) {
            $0[$1] = Array(try Data(contentsOf: URL(fileURLWithPath: dir.path($1))))
        }
    }

    /// Plans and runs `text` in `dir`; returns the plan.
    @discardableResult
    private func build(_ pipeline: Pipeline, _ dir: TemporaryDirectory, _ text: String, name: String = "recipe.yaml") async throws -> CubePlan {
        let path = try dir.write(name, text)
        let plan = try await pipeline.plan(try pipeline.load(recipeAt: path))
        _ = try await pipeline.run(plan, options: RunOptions(workers: 2, overwrite: true))
        return plan
    }

    /// Every data chunk of a cube (files inside variable folders; metadata and hidden folders excluded), by relative path.
    private func dataChunks(_ cube: String) throws -> [String: [UInt8]] {
        var chunks: [String: [UInt8]] = [:]
        let enumerator = FileManager.default.enumerator(atPath: cube)
        while let relative = enumerator?.nextObject() as? String {
            let name = URL(fileURLWithPath: relative).lastPathComponent
            // Not metadata, nor run records (.cubegen/…), which name the inputs.
            guard relative.contains("/"), !relative.split(separator: "/").contains(where: { $0.hasPrefix(".") }),
                  name != "zarr.json" else { continue }
            var isDirectory: ObjCBool = false
            guard FileManager.default.fileExists(atPath: cube + "/" + relative, isDirectory: &isDirectory), !isDirectory.boolValue else { continue }
            chunks[relative] = Array(try Data(contentsOf: URL(fileURLWithPath: cube + "/" + relative)))
        }
        return chunks
    }

    /// The message of the `CubeError` that `body` throws, checked to be one line.
    private func failure(_ body: () async throws -> Void, sourceLocation: SourceLocation = #_sourceLocation) async -> CubeError? {
        do {
            try await body()
            Issue.record("expected an error", sourceLocation: sourceLocation)
            return nil
        } catch let error as CubeError {
            #expect(!error.message.contains("\n"), "one line: \(error.message)", sourceLocation: sourceLocation)
            return error
        } catch {
            Issue.record("expected a CubeError, got \(error)", sourceLocation: sourceLocation)
            return nil
        }
    }

    @Test func anS3GlobBuildsTheSameChunksAsLocalFilesAndFetchesEachVersionOnce() async throws {
        let local = try TemporaryDirectory("remote-local"), remote = try TemporaryDirectory("remote-s3")
        defer { local.remove(); remote.remove() }
        let files = try inputs(local)
        try await build(Pipeline(), local, recipe(paths: ["*.nc"]))
        let expected = try dataChunks(local.path("out.zarr"))
        #expect(expected.count > 10 && expected.keys.contains { $0.hasPrefix("tas/") })

        let bucket = freshBucket()
        let store = try await owner(bucket)
        for (name, bytes) in files { try await store.set(StoreKey("in/" + name), to: bytes) }
        // Not matches of in/*.nc: another suffix, a deeper folder (its steps would overlap).
        try await store.set("in/readme.txt", to: Array("not NetCDF".utf8))
        try await store.set("in/sub/copy.nc", to: files["a_later.nc"]!)
        try await store.set("inx/other.nc", to: files["a_later.nc"]!)

        let text = recipe(paths: ["s3://\(bucket)/in/*.nc"])
        let first = pipeline(cache: remote.path("cache"))
        let plan = try await build(first, remote, text)
        #expect(plan.sources[0].files.map(\.location) == ["s3://\(bucket)/in/b_earlier.nc", "s3://\(bucket)/in/a_later.nc"])
        #expect(try dataChunks(remote.path("out.zarr")) == expected)
        #expect(await first.inputCache.statistics.downloads == 2)

        // The lineage names the URLs and fingerprints them by entity tag and size.
        let lineageText = try String(contentsOfFile: remote.path("out.zarr/lineage.json"), encoding: .utf8)
        #expect(!lineageText.contains(remote.path("cache")), "the lineage names URLs, not the cache")
        let lineage = try #require(try JSONSerialization.jsonObject(with: Data(lineageText.utf8)) as? [String: Any])
        let variables = try #require(lineage["variables"] as? [[String: Any]])
        let source = try #require(variables.first?["source"] as? [String: Any])
        let records = try #require(source["files"] as? [[String: Any]])
        for record in records {
            let path = try #require(record["path"] as? String)
            let key = StoreKey(String(path.dropFirst("s3://\(bucket)/".count)))
            let info = try #require(try await store.head(key))
            #expect(record["fingerprint"] as? String == "etag")
            #expect(record["etag"] as? String == info.etag)
            #expect(record["bytes"] as? Int == files[String(key.rawValue.dropFirst(3))]!.count)
            #expect(record["sha256"] is NSNull)
        }
        #expect(records.count == 2)
        let report = try await CubeVerifier(cubePath: remote.path("out.zarr")).verify()
        #expect(report.isValid, "\(report.problems)")

        // The next run (a new cache instance on the same folder) downloads nothing.
        let second = pipeline(cache: remote.path("cache"))
        try await build(second, remote, text)
        let again = await second.inputCache.statistics
        #expect(again.downloads == 0 && again.hits >= 2)
        #expect(try dataChunks(remote.path("out.zarr")) == expected)

        // A changed object (new entity tag) is fetched again, and only it.
        try LinearFields.dataset(resolution: 1, days: [7308]).write(to: local.path("a_shorter.nc"))
        try await store.set("in/a_later.nc", to: Array(try Data(contentsOf: URL(fileURLWithPath: local.path("a_shorter.nc")))))
        let third = pipeline(cache: remote.path("cache"))
        let changed = try await build(third, remote, text)
        #expect(await third.inputCache.statistics.downloads == 1)
        #expect(changed.time.values.count == 4)
        try await store.erase(prefix: "")
    }

    @Test func remoteFailuresAreOneLineErrorsNamingTheURL() async throws {
        let dir = try TemporaryDirectory("remote-errors")
        defer { dir.remove() }
        let files = try inputs(dir)
        let bucket = freshBucket()
        let store = try await owner(bucket)
        for (name, bytes) in files { try await store.set(StoreKey("in/" + name), to: bytes) }
        let pipeline = pipeline(cache: dir.path("cache"))
        func plan(_ paths: [String], with pipeline: Pipeline? = nil) async throws {
            let path = try dir.write("recipe.yaml", recipe(paths: paths))
            let chosen = pipeline ?? self.pipeline(cache: dir.path("cache"))
            _ = try await chosen.plan(try chosen.load(recipeAt: path))
        }

        let none = await failure { try await plan(["s3://\(bucket)/in/*.grib"]) }
        #expect(none?.message.contains("no object matches 's3://\(bucket)/in/*.grib'") == true, "\(none?.message ?? "")")

        let missing = "cubegen-missing-" + UUID().uuidString.lowercased().prefix(8)
        let noBucket = await failure { try await plan(["s3://\(missing)/in/*.nc"]) }
        #expect((noBucket?.underlying as? StorageError)?.code == .notFound)
        #expect(noBucket?.message.contains(missing) == true, "\(noBucket?.message ?? "")")

        let noObject = await failure { try await plan(["s3://\(bucket)/in/none.nc"]) }
        #expect(noObject?.message == "'s3://\(bucket)/in/none.nc' does not exist")

        let wrong = self.pipeline(cache: dir.path("cache"), secret: Self.wrongSecret)
        let denied = await failure { try await plan(["s3://\(bucket)/in/*.nc"], with: wrong) }
        #expect((denied?.underlying as? StorageError)?.code == .denied)
        #expect(denied?.message.contains(bucket) == true && denied?.message.contains("403") == true, "\(denied?.message ?? "")")
        if let denied {
            for text in ["\(denied)", denied.detailedDescription, String(reflecting: denied)] {
                #expect(!text.contains(Self.wrongSecret) && !text.contains(service.secret), "a secret in: \(text)")
            }
        }

        // Deleted between planning and reading: the run stops with a clear error.
        let path = try dir.write("recipe.yaml", recipe(paths: ["s3://\(bucket)/in/*.nc"]))
        let planned = try await pipeline.plan(try pipeline.load(recipeAt: path))
        try await store.delete("in/a_later.nc")
        let gone = await failure { _ = try await pipeline.run(planned, options: RunOptions(workers: 2, overwrite: true)) }
        #expect(gone?.message.contains("'s3://\(bucket)/in/a_later.nc' no longer exists") == true, "\(gone?.message ?? "")")
        #expect(gone?.code == .invalidInput)
        try await store.erase(prefix: "")
    }

    @Test func plainHTTPURLsOfAPublicBucketBuildTheSameChunks() async throws {
        let local = try TemporaryDirectory("remote-http-local"), remote = try TemporaryDirectory("remote-http")
        defer { local.remove(); remote.remove() }
        let files = try inputs(local)
        try await build(Pipeline(), local, recipe(paths: ["*.nc"]))
        let expected = try dataChunks(local.path("out.zarr"))

        // The test server lets anyone read the bucket "cubegen-public" (scripts/s3-server.sh).
        let store = try await owner("cubegen-public")
        let prefix = "inputs-" + UUID().uuidString.lowercased().prefix(8)
        for (name, bytes) in files { try await store.set(StoreKey("\(prefix)/\(name)"), to: bytes) }
        let urls = files.keys.sorted().map { "\(service.endpoint)/cubegen-public/\(prefix)/\($0)" }
        let web = Pipeline(inputCache: InputCache(directory: remote.path("cache")))
        let plan = try await build(web, remote, recipe(paths: urls))
        #expect(Set(plan.sources[0].files.map(\.location)) == Set(urls))
        #expect(try dataChunks(remote.path("out.zarr")) == expected)
        #expect(await web.inputCache.statistics.downloads == 2)

        // Wildcards need a listing, which plain HTTP has not.
        let listing = await failure {
            let path = try remote.write("glob.yaml", recipe(paths: ["\(service.endpoint)/cubegen-public/\(prefix)/*.nc"]))
            _ = try await web.plan(try web.load(recipeAt: path))
        }
        #expect(listing?.message.contains("cannot list objects") == true, "\(listing?.message ?? "")")
        try await store.erase(prefix: prefix)
    }
}
