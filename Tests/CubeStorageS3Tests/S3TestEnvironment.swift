import CubeFixtures
import CubeStorage
import CubeStorageS3
import Foundation

/// The S3 service the integration tests use, from the environment that `scripts/test-s3.sh` sets:
/// `CUBEGEN_TEST_S3_ENDPOINT` (e.g. `http://127.0.0.1:8333`), `CUBEGEN_TEST_S3_ACCESS_KEY`,
/// `CUBEGEN_TEST_S3_SECRET_KEY`. Without them the integration suites are skipped, saying so.
struct S3TestEnvironment {
    static let skipMessage = S3TestService.skipMessage

    let endpoint: String
    let credentials: S3Credentials

    /// The environment's service, or `nil` when it names none.
    static let current: S3TestEnvironment? = S3TestService.current.map {
        S3TestEnvironment(endpoint: $0.endpoint, credentials: S3Credentials(accessKeyID: $0.key, secretAccessKey: $0.secret))
    }

    static var isAvailable: Bool { current != nil }

    /// A configuration for the service with test tuning: 5 MiB parts from 6 MiB on, quick retries.
    func configuration(credentials: S3Credentials? = nil, anonymous: Bool = false) throws -> S3Configuration {
        S3Configuration(endpoint: try S3Endpoint(url: endpoint), region: "us-east-1",
                        credentials: anonymous ? nil : (credentials ?? self.credentials),
                        retry: RetryPolicy(maximumAttempts: 3, baseDelay: .milliseconds(50), totalTime: .seconds(10)),
                        maximumConcurrentRequests: 16, multipartThreshold: 6 << 20, partSize: 5 << 20, listPageSize: 2)
    }

    /// A store on a new, empty bucket with a unique name.
    func freshStorage(prefix: String = "") async throws -> S3Storage {
        let bucket = "cubegen-t-" + UUID().uuidString.lowercased().prefix(13).replacingOccurrences(of: "-", with: "")
        let storage = S3Storage(bucket: bucket, prefix: prefix, configuration: try configuration())
        try await storage.createBucket()
        return storage
    }
}
