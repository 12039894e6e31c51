import CubeFixtures
import CubeStorage
import CubeStorageS3
import Foundation
import Testing

@Suite(.enabled(if: S3TestEnvironment.isAvailable, "\(S3TestEnvironment.skipMessage)"))
struct S3StorageTests {
    let environment = S3TestEnvironment.current!

    @Test func conformanceOnABucket() async throws {
        let storage = try await environment.freshStorage()
        try await StorageConformance(pageSize: 2, multipartSize: 11 << 20).run(storage)
    }

    @Test func conformanceBelowAPrefix() async throws {
        let storage = try await environment.freshStorage(prefix: "cubes/run 1")
        let outside = S3Storage(bucket: storage.bucket, configuration: storage.configuration)
        try await outside.set("cubes/run 10/x", to: [1])   // shares the text prefix, not the folder
        try await outside.set("elsewhere", to: [2])
        try await StorageConformance(pageSize: 3).run(storage)
        #expect(try await outside.list(prefix: "").map(\.rawValue) == ["cubes/run 10/x", "elsewhere"])
    }

    @Test func multipartUploadLeavesNoPartsBehindAndTagsMatch() async throws {
        let storage = try await environment.freshStorage()
        let value = StorageConformance.pattern((12 << 20) + 123, seed: 7)
        try await storage.set("m/value", to: value)
        let info = try #require(try await storage.head("m/value"))
        #expect(info.size == value.count)
        #expect(info.etag?.hasSuffix("-3") == true, "a 3-part multipart entity tag, not \(info.etag ?? "none")")
        #expect(try await storage.get("m/value", range: .bounded((10 << 20)..<(10 << 20) + 5)) == Array(value[(10 << 20)..<(10 << 20) + 5]))
    }

    @Test func wrongSecretIsDenied() async throws {
        let good = try await environment.freshStorage()
        try await good.set("k", to: [1])
        let wrong = S3Credentials(accessKeyID: environment.credentials.accessKeyID, secretAccessKey: "not-the-secret-0123")
        let storage = S3Storage(bucket: good.bucket, configuration: try environment.configuration(credentials: wrong))
        await #expect {
            _ = try await storage.get("k")
        } throws: { error in
            guard let error = error as? StorageError else { return false }
            return error.code == .denied && error.description.contains("s3://\(good.bucket)/k")
                && error.description.contains("403")
        }
        let unknown = S3Credentials(accessKeyID: "NO-SUCH-KEY-ID", secretAccessKey: "x")
        let stranger = S3Storage(bucket: good.bucket, configuration: try environment.configuration(credentials: unknown))
        await #expect { try await stranger.set("k", to: [2]) } throws: { ($0 as? StorageError)?.code == .denied }
    }

    @Test func missingBucketIsNotFound() async throws {
        let storage = S3Storage(bucket: "cubegen-no-such-bucket", configuration: try environment.configuration())
        await #expect { _ = try await storage.list(prefix: "") } throws: { error in
            guard let error = error as? StorageError else { return false }
            return error.code == .notFound && error.description.contains("cubegen-no-such-bucket")
        }
        await #expect { _ = try await storage.get("k") } throws: { ($0 as? StorageError)?.code == .notFound }
        // No PUT here: SeaweedFS creates a missing bucket on the first PUT (AWS answers 404 NoSuchBucket).
    }

    @Test func unreachableEndpointFailsWithinSeconds() async throws {
        // Port 1 on loopback: nothing listens, so every connection is refused at once; with the
        // default retry policy (5 tries, jittered backoff from 200 ms) the failure must come quickly.
        let configuration = S3Configuration(endpoint: try S3Endpoint(url: "http://127.0.0.1:1"), region: "us-east-1",
                                            credentials: environment.credentials)
        let storage = S3Storage(bucket: "cubegen-any", configuration: configuration)
        let clock = ContinuousClock()
        let start = clock.now
        await #expect { _ = try await storage.get("k") } throws: { error in
            guard let error = error as? StorageError else { return false }
            return error.code == .transient && error.description.contains("s3://cubegen-any/k")
        }
        #expect(clock.now - start < .seconds(20), "fails within seconds, not minutes (the connect timeout is 3 s; a loaded machine adds some)")
    }

    @Test func anonymousAndPlainHTTPReadsOfAPublicBucket() async throws {
        let owner = S3Storage(bucket: "cubegen-public", configuration: try environment.configuration())
        try await owner.createBucket()
        let value = StorageConformance.pattern(300, seed: 3)
        try await owner.set("pub/data.bin", to: value)

        let anonymous = S3Storage(bucket: "cubegen-public", configuration: try environment.configuration(anonymous: true))
        #expect(try await anonymous.get("pub/data.bin", range: .suffix(10)) == Array(value[290...]))
        await #expect { try await anonymous.set("pub/x", to: [1]) } throws: { ($0 as? StorageError)?.code == .denied }

        var registry = StorageRegistry.withObjectStorage
        registry.registerHTTP(retry: .never)
        let web = try registry.open("\(environment.endpoint)/cubegen-public/pub")
        #expect(try await web.get("data.bin") == value)
        #expect(try await web.get("data.bin", range: .bounded(5..<9)) == Array(value[5..<9]))
        #expect(try await web.head("data.bin")?.size == 300)
        #expect(try await web.get("missing.bin") == nil)
        #expect(throws: StorageError.self) { _ = try registry.openWritable(StorageURL("\(environment.endpoint)/x")) }
        try await owner.erase(prefix: "pub")
    }

    @Test func registryOpensS3URLsFromOptionsAndEnvironment() async throws {
        let bucket = try await environment.freshStorage().bucket
        var registry = StorageRegistry.standard
        let resolver = S3ConfigurationResolver(
            environment: ["AWS_ACCESS_KEY_ID": environment.credentials.accessKeyID,
                          "AWS_SECRET_ACCESS_KEY": environment.credentials.secretAccessKey,
                          "AWS_ENDPOINT_URL_S3": environment.endpoint, "HOME": "/nonexistent"])
        registry.registerS3(resolver: resolver) { $0.maximumConcurrentRequests = 4 }
        let store = try registry.openWritable(StorageURL("s3://\(bucket)/deep/prefix"))
        try await store.set("a.json", to: Array("{}".utf8))
        let s3 = try #require(store as? S3Storage)
        #expect(s3.prefix == "deep/prefix" && s3.configuration.maximumConcurrentRequests == 4)
        let whole = S3Storage(bucket: bucket, configuration: s3.configuration)
        #expect(try await whole.list(prefix: "").map(\.rawValue) == ["deep/prefix/a.json"])
    }
}
