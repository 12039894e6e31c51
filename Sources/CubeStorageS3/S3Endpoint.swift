import CubeStorage
import Foundation

/// The scheme, host and port of an S3-compatible service, and how buckets are addressed on it.
public struct S3Endpoint: Hashable, Sendable, CustomStringConvertible {
    /// How a bucket appears in request URLs.
    public enum Addressing: String, Hashable, Sendable {
        /// `https://host/bucket/key`: custom endpoints (SeaweedFS, MinIO) and bucket names with dots.
        case path
        /// `https://bucket.host/key`: AWS.
        case virtualHost
    }

    /// `http` or `https`.
    public var scheme: String
    /// The host name or address.
    public var host: String
    /// The port, or `nil` for the scheme's default.
    public var port: Int?
    /// The bucket addressing style.
    public var addressing: Addressing

    /// Creates an endpoint.
    public init(scheme: String, host: String, port: Int? = nil, addressing: Addressing) {
        self.scheme = scheme
        self.host = host
        self.port = port
        self.addressing = addressing
    }

    /// AWS's endpoint for `region`, with virtual-host addressing.
    public static func aws(region: String) -> S3Endpoint {
        S3Endpoint(scheme: "https", host: "s3.\(region).amazonaws.com", addressing: .virtualHost)
    }

    /// Parses an endpoint URL such as `http://127.0.0.1:8333` (custom endpoints use path addressing).
    /// - Throws: `StorageError` with code `.invalid` when `text` is not `http(s)://host[:port]`.
    public init(url text: String, addressing: Addressing = .path) throws {
        func fail(_ reason: String) -> StorageError {
            StorageError(operation: "parse endpoint URL", location: text, reason: reason, code: .invalid)
        }
        guard let separator = text.range(of: "://") else { throw fail("write it as 'http(s)://host[:port]'") }
        let scheme = text[..<separator.lowerBound].lowercased()
        guard scheme == "http" || scheme == "https" else { throw fail("the scheme must be http or https") }
        var rest = text[separator.upperBound...]
        while rest.hasSuffix("/") { rest = rest.dropLast() }
        guard !rest.contains("/"), !rest.contains("?"), !rest.contains("@") else {
            throw fail("an endpoint is 'http(s)://host[:port]' without a path, query or credentials")
        }
        var host = String(rest)
        var port: Int?
        if let colon = rest.lastIndex(of: ":"), !rest.hasSuffix("]") {
            guard let number = Int(rest[rest.index(after: colon)...]), (1...65535).contains(number) else {
                throw fail("the port is not a number from 1 to 65535")
            }
            port = number
            host = String(rest[..<colon])
        }
        guard !host.isEmpty else { throw fail("there is no host") }
        self.init(scheme: scheme, host: host, port: port, addressing: addressing)
    }

    /// `host` or `host:port` when the port is not the scheme's default: the value of the `host` header.
    public var authority: String {
        guard let port, port != (scheme == "https" ? 443 : 80) else { return host }
        return "\(host):\(port)"
    }

    /// The endpoint as a URL.
    public var description: String { "\(scheme)://\(authority)" }
}
