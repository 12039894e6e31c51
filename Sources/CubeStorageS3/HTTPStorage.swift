public import CubeStorage
import Foundation
import NIOHTTP1

/// A read-only store on a web server: key `a/b` is `BASE/a/b`, read with plain GET (with `Range`
/// headers) and HEAD. For public object-store buckets and mirrors reachable over HTTPS; it cannot
/// list or write. Retries and timeouts as for S3.
public final class HTTPStorage: ReadableStorage {
    /// The base URL, without a trailing `/`.
    public let base: String
    let transport: HTTPTransport
    /// Headers sent with every request (an `Authorization` bearer token); never in messages.
    let headers: [(name: String, value: String)]

    /// Creates a store below `url` (scheme `https` or `http`); `headers` go with every request.
    public init(url: StorageURL, retry: RetryPolicy = RetryPolicy(), maximumConcurrentRequests: Int = 32,
                connectTimeout: Duration = .seconds(3), requestTimeout: Duration = .seconds(300),
                readTimeout: Duration = .seconds(30), headers: [(name: String, value: String)] = []) {
        self.headers = headers
        base = "\(url.scheme)://\(url.authority)" + (url.path.isEmpty ? "" : "/" + AWSURIEncoding.encodePath(url.path))
        transport = HTTPTransport(maximumConcurrentRequests: maximumConcurrentRequests, connectTimeout: connectTimeout,
                                  requestTimeout: requestTimeout, readTimeout: readTimeout, retry: retry)
    }

    private func url(_ key: StoreKey) -> String { base + "/" + AWSURIEncoding.encodePath(key.rawValue) }

    private func request(_ method: HTTPMethod, _ key: StoreKey, range: String? = nil) -> HTTPRequestSpec {
        HTTPRequestSpec(method: method, url: url(key), headers: headers + (range.map { [("range", $0)] } ?? []), body: nil)
    }

    /// Returns the whole value at `key`, or `nil` for HTTP 404.
    public func get(_ key: StoreKey) async throws -> [UInt8]? { try await get(key, range: .all) }

    /// Returns `range` of the value at `key`, or `nil` for HTTP 404.
    public func get(_ key: StoreKey, range: ByteRange) async throws -> [UInt8]? {
        let header = range.httpHeaderValue
        if header == nil && range != .all {
            // A read of no bytes, which HTTP cannot ask for: the value's size decides between [] and an error.
            guard let info = try await head(key) else { return nil }
            guard range.offsets(in: info.size) != nil else { throw RangedRead.pastEnd(range, info.size, url(key)) }
            return []
        }
        let result = try await transport.send(operation: "read", location: url(key)) {
            self.request(.GET, key, range: header)
        }
        switch result.status {
        case 200, 206: return try RangedRead.bytes(of: result, range: range, location: url(key))
        case 404, 410: return nil
        case 416:
            guard let info = try await head(key) else { return nil }
            if case .suffix = range, info.size == 0 { return [] }
            throw RangedRead.pastEnd(range, info.size, url(key))
        default: throw HTTPStatusMapping.error(result, operation: "read", location: url(key))
        }
    }

    /// Returns the size, entity tag and date of the value at `key`, or `nil` for HTTP 404.
    public func head(_ key: StoreKey) async throws -> ObjectInfo? {
        let result = try await transport.send(operation: "inspect", location: url(key)) { self.request(.HEAD, key) }
        switch result.status {
        case 200:
            guard let size = result.header("content-length").flatMap({ Int($0) }) else {
                throw StorageError(operation: "inspect", location: url(key), reason: "no Content-Length", code: .invalid)
            }
            let etag = result.header("etag").map { $0.trimmingCharacters(in: CharacterSet(charactersIn: "\"")) }
            return ObjectInfo(size: size, etag: etag, modified: result.header("last-modified").flatMap(HTTPDate.parse))
        case 404, 410: return nil
        default: throw HTTPStatusMapping.error(result, operation: "inspect", location: url(key))
        }
    }
}
