import Foundation

/// The S3 service the remote-input tests use, from the environment that `scripts/test-s3.sh` and
/// `scripts/test.sh` set; `nil` without it (the suites are then skipped, saying so).
struct RemoteTestService: Sendable {
    static let skipMessage = "no S3 test service: run scripts/test-s3.sh, or set CUBEGEN_TEST_S3_ENDPOINT, "
        + "CUBEGEN_TEST_S3_ACCESS_KEY and CUBEGEN_TEST_S3_SECRET_KEY"

    let endpoint: String
    let key: String
    let secret: String

    static let current: RemoteTestService? = {
        let environment = ProcessInfo.processInfo.environment
        guard let endpoint = environment["CUBEGEN_TEST_S3_ENDPOINT"], !endpoint.isEmpty,
              let key = environment["CUBEGEN_TEST_S3_ACCESS_KEY"], let secret = environment["CUBEGEN_TEST_S3_SECRET_KEY"]
        else { return nil }
        return RemoteTestService(endpoint: endpoint, key: key, secret: secret)
    }()
}
