import CubeStorage
import Foundation
import NIOHTTP1

/// A small client for JSON web APIs (a STAC API) on the module's one HTTP stack: the same
/// transport, connection pool, timeouts and retries as `HTTPStorage`, for requests whose answers
/// the caller interprets (any status comes back; only connection failures and retryable 5xx/429
/// answers are handled here).
///
/// Headers given to `send` (an `Authorization` bearer token) are sent but never appear in errors.
public final class HTTPAPIClient: Sendable {
    private let transport: HTTPTransport

    /// Creates a client.
    /// - Parameters:
    ///   - retry: How failed tries are repeated.
    ///   - connectTimeout: How long to keep trying to connect (an unreachable API fails after this).
    ///   - requestTimeout: The longest a whole request may take.
    public init(retry: RetryPolicy = RetryPolicy(), connectTimeout: Duration = .seconds(3),
                requestTimeout: Duration = .seconds(120)) {
        transport = HTTPTransport(maximumConcurrentRequests: 8, connectTimeout: connectTimeout, requestTimeout: requestTimeout,
                                  readTimeout: .seconds(60), retry: retry)
    }

    /// Sends one request and returns the final answer, whatever its status.
    /// - Parameters:
    ///   - method: `GET` or `POST` (others as NIO spells them).
    ///   - url: The full URL, query included, percent-encoded.
    ///   - headers: Extra headers (`content-type`, `authorization`, `accept`).
    ///   - body: The body, or `nil`.
    /// - Returns: The status, the headers (names in lower case) and the body.
    /// - Throws: `StorageError` naming `url` (without its query) when no answer came: `.transient`
    ///   for a refused or timed-out connection, `.invalid` for a malformed URL.
    public func send(method: String, url: String, headers: [(name: String, value: String)] = [],
                     body: [UInt8]? = nil) async throws -> HTTPAPIResponse {
        let location = String(url.prefix { $0 != "?" })
        let spec = HTTPRequestSpec(method: HTTPMethod(rawValue: method.uppercased()), url: url, headers: headers, body: body)
        let result = try await transport.send(operation: method.uppercased() == "GET" ? "read" : "send to", location: location) { spec }
        var fields: [String: String] = [:]
        for header in result.headers where fields[header.name.lowercased()] == nil { fields[header.name.lowercased()] = header.value }
        return HTTPAPIResponse(status: result.status, headers: fields, body: result.body)
    }
}

/// One complete answer of a web API.
public struct HTTPAPIResponse: Sendable {
    /// The status code.
    public var status: Int
    /// The headers, names in lower case (the first value of each).
    public var headers: [String: String]
    /// The whole body.
    public var body: [UInt8]

    /// Creates a response.
    public init(status: Int, headers: [String: String], body: [UInt8]) {
        self.status = status
        self.headers = headers
        self.body = body
    }
}
