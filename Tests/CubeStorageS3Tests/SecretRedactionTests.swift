import CubeFixtures
import CubeStorage
import CubeStorageS3
import Foundation
import Testing

/// No secret key or session token may appear in an error description or in a configuration's
/// description, whatever fails. Each test provokes failures with marker secrets and greps every text.
@Suite struct SecretRedactionTests {
    static let secret = "SECRET-MARKER-7f3c9a-do-not-print"
    static let token = "TOKEN-MARKER-1b2e4d-do-not-print"

    static func assertClean(_ text: String, sourceLocation: SourceLocation = #_sourceLocation) {
        #expect(!text.contains(secret), "secret key in: \(text)", sourceLocation: sourceLocation)
        #expect(!text.contains(token), "session token in: \(text)", sourceLocation: sourceLocation)
        #expect(!text.contains("SECRET-MARKER") && !text.contains("TOKEN-MARKER"), "part of a secret in: \(text)",
                sourceLocation: sourceLocation)
    }

    /// Every text a caller might print about `error`.
    static func texts(of error: any Error) -> [String] {
        ["\(error)", String(describing: error), String(reflecting: error), error.localizedDescription]
    }

    @Test func credentialAndConfigurationDescriptions() throws {
        let credentials = S3Credentials(accessKeyID: "AKIDMARKER", secretAccessKey: Self.secret, sessionToken: Self.token)
        let configuration = S3Configuration(endpoint: try S3Endpoint(url: "http://127.0.0.1:1"), region: "r",
                                            credentials: credentials)
        for text in ["\(credentials)", String(reflecting: credentials), "\(configuration)", String(reflecting: configuration),
                     "\([credentials])"] {
            Self.assertClean(text)
        }
    }

    @Test func offlineFailures() async throws {
        let credentials = S3Credentials(accessKeyID: "AKIDMARKER", secretAccessKey: Self.secret, sessionToken: Self.token)
        let configuration = S3Configuration(endpoint: try S3Endpoint(url: "http://127.0.0.1:1"), region: "r",
                                            credentials: credentials, retry: .never, connectTimeout: .seconds(1))
        let storage = S3Storage(bucket: "cubegen-secrets", configuration: configuration)
        var failures = 0
        for operation in 0..<4 {
            do {
                switch operation {
                case 0: _ = try await storage.get("k", range: .suffix(3))
                case 1: try await storage.set("k", to: [1])
                case 2: _ = try await storage.list(prefix: "")
                default: try await storage.erase(prefix: "p")
                }
            } catch {
                failures += 1
                Self.texts(of: error).forEach { Self.assertClean($0) }
            }
        }
        #expect(failures == 4)
        let resolver = S3ConfigurationResolver(environment: ["AWS_SECRET_ACCESS_KEY": Self.secret,
                                                             "AWS_SESSION_TOKEN": Self.token, "HOME": "/nowhere"]) { _ in nil }
        do {
            _ = try resolver.resolve(StorageOptions(), bucket: "b-1")
            Issue.record("a secret without a key ID must not resolve")
        } catch {
            Self.texts(of: error).forEach { Self.assertClean($0) }
        }
    }

    @Test(.enabled(if: S3TestEnvironment.isAvailable, "\(S3TestEnvironment.skipMessage)"))
    func serviceRefusals() async throws {
        let environment = try #require(S3TestEnvironment.current)
        let good = try await environment.freshStorage()
        try await good.set("k", to: [1])
        for credentials in [
            S3Credentials(accessKeyID: environment.credentials.accessKeyID, secretAccessKey: Self.secret),
            S3Credentials(accessKeyID: environment.credentials.accessKeyID, secretAccessKey: Self.secret, sessionToken: Self.token),
            S3Credentials(accessKeyID: "NOSUCHKEY", secretAccessKey: Self.secret, sessionToken: Self.token),
        ] {
            let storage = S3Storage(bucket: good.bucket, configuration: try environment.configuration(credentials: credentials))
            var failures = 0
            for operation in 0..<5 {
                do {
                    switch operation {
                    case 0: _ = try await storage.get("k")
                    case 1: try await storage.put("k2", [1], condition: .ifAbsent)
                    case 2: _ = try await storage.listPage(prefix: "", continuation: nil, limit: 5)
                    case 3: try await storage.set("big", to: [UInt8](repeating: 1, count: 7 << 20))
                    default: _ = try await storage.head("k").map { _ in throw StorageError(operation: "head", location: "k", reason: "should be denied") }
                    }
                } catch {
                    failures += 1
                    #expect((error as? StorageError)?.code == .denied, "\(error)")
                    Self.texts(of: error).forEach { Self.assertClean($0) }
                }
            }
            #expect(failures == 5)
        }
    }
}
