import NIOHTTP1

/// One HTTP request as this module sends it: built (and signed) anew for every try.
struct HTTPRequestSpec: Sendable {
    /// The method.
    var method: HTTPMethod
    /// The full URL, query included, percent-encoded.
    var url: String
    /// The headers, `host` included.
    var headers: [(name: String, value: String)]
    /// The body, always of known length (S3 rejects chunked uploads), or `nil`.
    var body: [UInt8]?
}

/// A complete HTTP response: status, headers and the whole body.
struct HTTPResult: Sendable {
    /// The status code.
    var status: Int
    /// The response headers.
    var headers: HTTPHeaders
    /// The body (empty for HEAD).
    var body: [UInt8]
    /// Whether an earlier try of the same request failed in a way that leaves open whether the
    /// server applied it (a dropped connection, a timeout, a 5xx): a create-only put that now
    /// answers "exists" may have been created by that earlier try.
    var earlierTryUnclear: Bool = false

    /// The first value of header `name`.
    func header(_ name: String) -> String? { headers.first(name: name) }
}
