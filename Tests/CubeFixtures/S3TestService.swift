public import Foundation

/// The S3 service the integration tests use, from the environment `make test` (and
/// `scripts/test-s3.sh`) sets: `CUBEGEN_TEST_S3_ENDPOINT` (e.g. `http://127.0.0.1:8333`),
/// `CUBEGEN_TEST_S3_ACCESS_KEY`, `CUBEGEN_TEST_S3_SECRET_KEY`. Without them the suites that need
/// it are skipped, saying so with `skipMessage`.
public struct S3TestService: Sendable {
    /// Why a suite is skipped without the service.
    public static let skipMessage = "no S3 test service: run make test or scripts/test-s3.sh, or set CUBEGEN_TEST_S3_ENDPOINT, "
        + "CUBEGEN_TEST_S3_ACCESS_KEY and CUBEGEN_TEST_S3_SECRET_KEY"

    /// The service's URL.
    public let endpoint: String
    /// The access key ID.
    public let key: String
    /// The secret access key.
    public let secret: String

    /// The environment's service, or `nil` when it names none.
    public static let current: S3TestService? = {
        let environment = ProcessInfo.processInfo.environment
        guard let endpoint = environment["CUBEGEN_TEST_S3_ENDPOINT"], !endpoint.isEmpty,
              let key = environment["CUBEGEN_TEST_S3_ACCESS_KEY"], let secret = environment["CUBEGEN_TEST_S3_SECRET_KEY"]
        else { return nil }
        return S3TestService(endpoint: endpoint, key: key, secret: secret)
    }()
}
