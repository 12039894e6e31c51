public import Foundation
import Synchronization

/// A store held in memory; for tests and small intermediate results.
public final class MemoryStorage: Storage {
    private struct Entry {
        var bytes: [UInt8]
        var modified: Date
    }

    private let values = Mutex<[StoreKey: Entry]>([:])

    /// Creates an empty store.
    public init() {}

    /// Returns the bytes stored at `key`, or `nil`.
    public func get(_ key: StoreKey) async throws -> [UInt8]? { values.withLock { $0[key]?.bytes } }

    /// Returns `range` of the bytes stored at `key`, or `nil`.
    public func get(_ key: StoreKey, range: ByteRange) async throws -> [UInt8]? {
        guard let bytes = values.withLock({ $0[key]?.bytes }) else { return nil }
        return try StorageSlicing.slice(bytes, range, key: key.rawValue)
    }

    /// Returns the size and write time of the value at `key`, or `nil`.
    public func head(_ key: StoreKey) async throws -> ObjectInfo? {
        values.withLock { $0[key].map { ObjectInfo(size: $0.bytes.count, etag: nil, modified: $0.modified) } }
    }

    /// Stores `value` under `key`.
    public func set(_ key: StoreKey, to value: [UInt8]) async throws {
        values.withLock { $0[key] = Entry(bytes: value, modified: Date()) }
    }

    /// Stores `value` under `key` if `condition` allows it (checked and written under one lock).
    public func put(_ key: StoreKey, _ value: [UInt8], condition: WriteCondition) async throws {
        let written = values.withLock { dict -> Bool in
            if condition == .ifAbsent, dict[key] != nil { return false }
            dict[key] = Entry(bytes: value, modified: Date())
            return true
        }
        guard written else {
            throw StorageError(operation: "create", location: key.rawValue, reason: "the key already exists",
                               code: .conditionFailed)
        }
    }

    /// Removes the value at `key`, if any.
    public func delete(_ key: StoreKey) async throws { values.withLock { $0[key] = nil } }

    /// Removes `prefix` and every key below it.
    public func erase(prefix: String) async throws {
        values.withLock { dict in
            for key in dict.keys where prefix.isEmpty || key.rawValue == prefix || key.rawValue.hasPrefix(prefix + "/") {
                dict[key] = nil
            }
        }
    }

    /// Returns every key starting with `prefix`, sorted.
    public func list(prefix: String) async throws -> [StoreKey] {
        values.withLock { $0.keys.filter { $0.rawValue.hasPrefix(prefix) }.sorted() }
    }

    /// Returns up to `limit` keys starting with `prefix` after the key named by `continuation`.
    public func listPage(prefix: String, continuation: String?, limit: Int) async throws -> StoreListingPage {
        StorageSlicing.page(try await list(prefix: prefix), after: continuation, limit: limit)
    }
}
