/// Settings for opening a store from a URL: where the service is and which identity to use, but
/// never a secret (keys come from the environment or the user's credential files).
public struct StorageOptions: Hashable, Sendable {
    /// The service endpoint, for example `http://127.0.0.1:8333` for an S3-compatible server
    /// (`endpoint_url` in AWS tools); `nil` uses the backend's default (AWS for `s3`).
    public var endpointURL: String?
    /// The region to sign requests for (`region`); `nil` resolves it from the environment and profile.
    public var region: String?
    /// The named profile in the user's AWS config and credentials files (`profile`).
    public var profile: String?
    /// Whether to send unsigned requests, for public data (`anon`).
    public var anonymous: Bool
    /// Backend-specific settings registered by plugins, by name (no secrets).
    public var extra: [String: String]

    /// Creates options; everything unset by default.
    public init(endpointURL: String? = nil, region: String? = nil, profile: String? = nil, anonymous: Bool = false,
                extra: [String: String] = [:]) {
        self.endpointURL = endpointURL
        self.region = region
        self.profile = profile
        self.anonymous = anonymous
        self.extra = extra
    }
}
