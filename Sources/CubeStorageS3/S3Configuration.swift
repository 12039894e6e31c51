/// Everything an `S3Storage` needs besides the bucket: the service, identity and tuning.
///
/// Build one by hand, or with `S3ConfigurationResolver` from storage options, the environment and
/// the user's AWS files, as the AWS tools do.
public struct S3Configuration: Sendable {
    /// Where requests go, and how buckets are addressed.
    public var endpoint: S3Endpoint
    /// The region requests are signed for.
    public var region: String
    /// The key pair, or `nil` for anonymous (unsigned) requests.
    public var credentials: S3Credentials?
    /// Retrying of failures that may pass.
    public var retry: RetryPolicy
    /// The most requests in flight at once for one store (its I/O budget, independent of CPU workers).
    public var maximumConcurrentRequests: Int
    /// How long to wait for a connection: short, so an unreachable endpoint fails within seconds.
    public var connectTimeout: Duration
    /// The most time one try of one request may take, body included.
    public var requestTimeout: Duration
    /// The most time to wait for the next bytes of an answer: a stalled connection fails (and is
    /// retried) after this, long before `requestTimeout`.
    public var readTimeout: Duration
    /// Values of at least this many bytes are uploaded in parts (multipart upload).
    public var multipartThreshold: Int
    /// The size of each part but the last (S3 allows 5 MiB to 5 GiB, at most 10,000 parts).
    public var partSize: Int
    /// Keys requested per ListObjectsV2 call (S3 returns at most 1000).
    public var listPageSize: Int

    /// Creates a configuration with tuning defaults.
    /// - Precondition: at least one request in flight, parts of at least 5 MiB, list pages of 1 to
    ///   1000 keys (S3's limits; other values are programmer errors and trap).
    public init(endpoint: S3Endpoint, region: String, credentials: S3Credentials?, retry: RetryPolicy = RetryPolicy(),
                maximumConcurrentRequests: Int = 32, connectTimeout: Duration = .seconds(3),
                requestTimeout: Duration = .seconds(300), readTimeout: Duration = .seconds(30), multipartThreshold: Int = 64 << 20, partSize: Int = 16 << 20,
                listPageSize: Int = 1000) {
        precondition(maximumConcurrentRequests >= 1, "at least one request must be allowed in flight")
        precondition(partSize >= 5 << 20, "S3 parts are at least 5 MiB")
        precondition((1...1000).contains(listPageSize), "S3 list pages hold 1 to 1000 keys")
        self.endpoint = endpoint
        self.region = region
        self.credentials = credentials
        self.retry = retry
        self.maximumConcurrentRequests = maximumConcurrentRequests
        self.connectTimeout = connectTimeout
        self.requestTimeout = requestTimeout
        self.readTimeout = readTimeout
        self.multipartThreshold = multipartThreshold
        self.partSize = partSize
        self.listPageSize = listPageSize
    }
}
