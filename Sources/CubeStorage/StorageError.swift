/// A failure of a storage backend, naming the key or path involved, and a `code` that tells callers
/// what kind of failure it was (whether to retry, report a missing input, or fix a setting).
public struct StorageError: Error, Sendable, CustomStringConvertible {
    /// The kind of a storage failure.
    public enum Code: String, Hashable, Sendable, CaseIterable {
        /// The key, bucket or location does not exist.
        case notFound
        /// A conditional write found the key already present (`WriteCondition.ifAbsent`).
        case conditionFailed
        /// The service asked the client to slow down (HTTP 429, 503 SlowDown); worth retrying later.
        case throttled
        /// A failure that may pass: a dropped connection, a timeout, a server error (HTTP 5xx).
        case transient
        /// The credentials were refused or do not allow the operation (HTTP 401, 403).
        case denied
        /// The request itself is wrong: a malformed URL, an unknown scheme, a range outside the value.
        case invalid
        /// A local input/output failure (a file that cannot be read or written).
        case io
    }

    /// The kind of failure.
    public var code: Code
    /// What was being done, for example `"write"`.
    public var operation: String
    /// The key, path or URL involved (never a credential).
    public var location: String
    /// The reason, as reported by the system or service.
    public var reason: String

    /// Creates an error; `code` defaults to `.io`, the kind of the local file failures this type first described.
    public init(operation: String, location: String, reason: String, code: Code = .io) {
        self.code = code
        self.operation = operation
        self.location = location
        self.reason = reason
    }

    /// Whether trying the same operation again later may succeed (`throttled` and `transient`).
    public var isRetryable: Bool { code == .throttled || code == .transient }

    /// A one-line description.
    public var description: String { "cannot \(operation) '\(location)': \(reason) [\(code.rawValue)]" }
}
