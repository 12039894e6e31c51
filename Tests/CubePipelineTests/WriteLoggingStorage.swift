import CubeGen
import Synchronization

/// A store that passes everything to another and logs every write (set, put, delete, erase) by
/// key: the request log that shows an up-to-date run writes nothing to S3.
final class WriteLoggingStorage: Storage {
    let base: any Storage
    let log: WriteLog

    init(_ base: any Storage, log: WriteLog) {
        self.base = base
        self.log = log
    }

    func get(_ key: StoreKey) async throws -> [UInt8]? { try await base.get(key) }
    func get(_ key: StoreKey, range: ByteRange) async throws -> [UInt8]? { try await base.get(key, range: range) }
    func head(_ key: StoreKey) async throws -> ObjectInfo? { try await base.head(key) }
    func list(prefix: String) async throws -> [StoreKey] { try await base.list(prefix: prefix) }
    func listPage(prefix: String, continuation: String?, limit: Int) async throws -> StoreListingPage {
        try await base.listPage(prefix: prefix, continuation: continuation, limit: limit)
    }

    func set(_ key: StoreKey, to value: [UInt8]) async throws {
        log.append("PUT \(key.rawValue)")
        try await base.set(key, to: value)
    }

    func put(_ key: StoreKey, _ value: [UInt8], condition: WriteCondition) async throws {
        log.append("PUT \(key.rawValue)")
        try await base.put(key, value, condition: condition)
    }

    func delete(_ key: StoreKey) async throws {
        log.append("DELETE \(key.rawValue)")
        try await base.delete(key)
    }

    func erase(prefix: String) async throws {
        log.append("ERASE \(prefix)")
        try await base.erase(prefix: prefix)
    }
}

/// The writes a `WriteLoggingStorage` saw, in order.
final class WriteLog: Sendable {
    private let entries = Mutex<[String]>([])

    func append(_ entry: String) { entries.withLock { $0.append(entry) } }

    /// Everything logged, and clears the log.
    func take() -> [String] { entries.withLock { let all = $0; $0 = []; return all } }
}
