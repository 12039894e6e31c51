/// The parts of an HTTP request that AWS Signature Version 4 covers, as they will be sent.
public struct SigV4Request: Sendable {
    /// The method in uppercase, for example `GET`.
    public var method: String
    /// The path as sent on the request line, already percent-encoded (`AWSURIEncoding.encodePath`),
    /// starting with `/`. S3 signs it as it is, without normalising it.
    public var encodedPath: String
    /// Query parameters as (name, value) pairs, not yet encoded; a parameter without a value
    /// (`?uploads`) has the empty value.
    public var query: [(name: String, value: String)]
    /// The headers to sign, as sent: must include `host`. Names are compared without case.
    public var headers: [(name: String, value: String)]
    /// The lowercase hex SHA-256 of the body, or `UNSIGNED-PAYLOAD`.
    public var payloadHash: String

    /// Creates a request description.
    public init(method: String, encodedPath: String, query: [(name: String, value: String)] = [],
                headers: [(name: String, value: String)], payloadHash: String) {
        self.method = method
        self.encodedPath = encodedPath
        self.query = query
        self.headers = headers
        self.payloadHash = payloadHash
    }

    /// The query encoded for the request line, in canonical order (`a=1&b=&c=x%20y`).
    public var encodedQuery: String { SigV4Signer.canonicalQuery(query) }
}
