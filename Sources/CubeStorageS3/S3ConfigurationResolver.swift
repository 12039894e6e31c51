public import CubeStorage
public import Foundation

/// Finds the endpoint, region and credentials for an S3 bucket the way the AWS tools do, from
/// storage options, environment variables and the shared config and credentials files.
///
/// Precedence, highest first:
/// - credentials: `anon` (none) → an explicit `profile` option → `AWS_ACCESS_KEY_ID` +
///   `AWS_SECRET_ACCESS_KEY` (+ `AWS_SESSION_TOKEN`) → the profile `AWS_PROFILE` (or `default`) in
///   `AWS_SHARED_CREDENTIALS_FILE` (`~/.aws/credentials`), then in `AWS_CONFIG_FILE` (`~/.aws/config`);
/// - region: `region` option → `AWS_REGION` → `AWS_DEFAULT_REGION` → the profile's `region` → `us-east-1`;
/// - endpoint: `endpoint_url` option → `AWS_ENDPOINT_URL_S3` → `AWS_ENDPOINT_URL` → the profile's
///   `s3.endpoint_url` or `endpoint_url` → AWS. A custom endpoint uses path addressing, AWS virtual-host
///   addressing (path for bucket names with dots); `StorageOptions.extra["addressing_style"]`
///   (`path`/`virtual`) or the profile's `s3.addressing_style` overrides either.
public struct S3ConfigurationResolver: Sendable {
    /// The environment variables to read.
    public var environment: [String: String]
    /// Reads a file's text, or returns `nil` when it does not exist.
    public var readFile: @Sendable (String) -> String?

    /// Creates a resolver reading the process environment and the real files.
    public init(environment: [String: String] = ProcessInfo.processInfo.environment,
                readFile: @escaping @Sendable (String) -> String? = { try? String(contentsOfFile: $0, encoding: .utf8) }) {
        self.environment = environment
        self.readFile = readFile
    }

    /// Resolves the configuration for `bucket` under `options`.
    /// - Throws: `StorageError` with code `.invalid` for a malformed endpoint or a missing named profile,
    ///   `.denied` when no credentials are found and anonymous access was not asked for.
    public func resolve(_ options: StorageOptions, bucket: String) throws -> S3Configuration {
        let home = environment["HOME"] ?? NSHomeDirectory()
        let credentialsPath = environment["AWS_SHARED_CREDENTIALS_FILE"] ?? "\(home)/.aws/credentials"
        let configPath = environment["AWS_CONFIG_FILE"] ?? "\(home)/.aws/config"
        let credentialsFile = readFile(credentialsPath).map { AWSSharedConfigFile(text: $0, isConfigFile: false) }
        let configFile = readFile(configPath).map { AWSSharedConfigFile(text: $0, isConfigFile: true) }
        let location = "s3://\(bucket)"

        let explicitProfile = nonEmpty(options.profile)
        let profileName = explicitProfile ?? nonEmpty(environment["AWS_PROFILE"]) ?? "default"
        let fromCredentials = credentialsFile?.profiles[profileName]
        let fromConfig = configFile?.profiles[profileName]
        if profileName != "default" && fromCredentials == nil && fromConfig == nil {
            throw StorageError(operation: "configure", location: location,
                               reason: "profile '\(profileName)' is in neither \(credentialsPath) nor \(configPath)",
                               code: .invalid)
        }
        func setting(_ key: String) -> String? { nonEmpty(fromCredentials?[key]) ?? nonEmpty(fromConfig?[key]) }

        var credentials: S3Credentials?
        if !options.anonymous {
            if explicitProfile == nil, let key = nonEmpty(environment["AWS_ACCESS_KEY_ID"]),
               let secret = nonEmpty(environment["AWS_SECRET_ACCESS_KEY"]) {
                credentials = S3Credentials(accessKeyID: key, secretAccessKey: secret,
                                            sessionToken: nonEmpty(environment["AWS_SESSION_TOKEN"]))
            } else if let key = setting("aws_access_key_id"), let secret = setting("aws_secret_access_key") {
                credentials = S3Credentials(accessKeyID: key, secretAccessKey: secret,
                                            sessionToken: setting("aws_session_token"))
            } else {
                throw StorageError(operation: "configure", location: location,
                                   reason: "no credentials: set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY, name a "
                                       + "profile with keys (AWS_PROFILE, \(credentialsPath)), or ask for anonymous access",
                                   code: .denied)
            }
        }

        let region = nonEmpty(options.region) ?? nonEmpty(environment["AWS_REGION"])
            ?? nonEmpty(environment["AWS_DEFAULT_REGION"]) ?? nonEmpty(fromConfig?["region"]) ?? "us-east-1"
        let endpointText = nonEmpty(options.endpointURL) ?? nonEmpty(environment["AWS_ENDPOINT_URL_S3"])
            ?? nonEmpty(environment["AWS_ENDPOINT_URL"]) ?? nonEmpty(fromConfig?["s3.endpoint_url"])
            ?? nonEmpty(fromConfig?["endpoint_url"])
        var endpoint = try endpointText.map { try S3Endpoint(url: $0, addressing: .path) }
            ?? S3Endpoint.aws(region: region)
        if endpointText == nil && bucket.contains(".") { endpoint.addressing = .path }
        switch nonEmpty(options.extra["addressing_style"]) ?? nonEmpty(fromConfig?["s3.addressing_style"]) {
        case "path": endpoint.addressing = .path
        case "virtual": endpoint.addressing = .virtualHost
        case nil, "auto": break
        case let other?:
            throw StorageError(operation: "configure", location: location,
                               reason: "addressing_style '\(other)' is not path, virtual or auto", code: .invalid)
        }
        return S3Configuration(endpoint: endpoint, region: region, credentials: credentials)
    }

    private func nonEmpty(_ text: String?) -> String? {
        guard let text, !text.isEmpty else { return nil }
        return text
    }
}
