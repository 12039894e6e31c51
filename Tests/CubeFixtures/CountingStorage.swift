public import CubeStorage
import Synchronization

/// A read-only view of another store that logs every request (`get`, ranged `get`, `head`), so
/// tests can count what a reader fetched.
public final class CountingStorage: ReadableStorage, ListableStorage {
    /// One request: its kind (`get`, `range`, `head`), key and range.
    public struct Request: Hashable, Sendable {
        /// `get`, `range` or `head`.
        public var kind: String
        /// The key asked for.
        public var key: String
        /// The range of a ranged get.
        public var range: ByteRange?
    }

    /// The store read.
    public let base: any ReadableStorage & ListableStorage
    private let log = Mutex<[Request]>([])

    /// Wraps `base`.
    public init(_ base: any ReadableStorage & ListableStorage) { self.base = base }

    /// Every request so far, in order.
    public var requests: [Request] { log.withLock { $0 } }

    /// Forgets the requests so far.
    public func reset() { log.withLock { $0.removeAll() } }

    private func record(_ request: Request) { log.withLock { $0.append(request) } }

    /// Logs and forwards.
    public func get(_ key: StoreKey) async throws -> [UInt8]? {
        record(Request(kind: "get", key: key.rawValue, range: nil))
        return try await base.get(key)
    }

    /// Logs and forwards.
    public func get(_ key: StoreKey, range: ByteRange) async throws -> [UInt8]? {
        record(Request(kind: "range", key: key.rawValue, range: range))
        return try await base.get(key, range: range)
    }

    /// Logs and forwards.
    public func head(_ key: StoreKey) async throws -> ObjectInfo? {
        record(Request(kind: "head", key: key.rawValue, range: nil))
        return try await base.head(key)
    }

    /// Forwards (not logged).
    public func list(prefix: String) async throws -> [StoreKey] { try await base.list(prefix: prefix) }

    /// Forwards (not logged).
    public func listPage(prefix: String, continuation: String?, limit: Int) async throws -> StoreListingPage {
        try await base.listPage(prefix: prefix, continuation: continuation, limit: limit)
    }
}
