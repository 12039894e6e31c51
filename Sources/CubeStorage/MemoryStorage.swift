import Synchronization

/// A store held in memory; for tests and small intermediate results.
public final class MemoryStorage: Storage {
    private let values = Mutex<[StoreKey: [UInt8]]>([:])

    /// Creates an empty store.
    public init() {}

    /// Returns the bytes stored at `key`, or `nil`.
    public func get(_ key: StoreKey) async throws -> [UInt8]? { values.withLock { $0[key] } }

    /// Stores `value` under `key`.
    public func set(_ key: StoreKey, to value: [UInt8]) async throws { values.withLock { $0[key] = value } }

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
}
