/// Reads values stored under keys: a directory, an object-store prefix, memory.
///
/// ## Implementation guidance
/// Return `nil` for a missing key; throw only for real failures (permissions, I/O errors).
public protocol ReadableStorage: Sendable {
    /// Returns the bytes stored at `key`, or `nil` if the key does not exist.
    /// - Parameter key: The key to read.
    /// - Returns: The whole value, or `nil` when there is none.
    /// - Throws: `StorageError` when the value exists but cannot be read.
    func get(_ key: StoreKey) async throws -> [UInt8]?
}

/// Writes and erases values under keys.
///
/// ## Implementation guidance
/// `set` must be atomic per key: a reader sees the old value, the new value or nothing, never a
/// partial value. Writes to different keys may run concurrently.
public protocol WritableStorage: Sendable {
    /// Stores `value` under `key`, replacing any previous value.
    /// - Throws: `StorageError` when the value cannot be written.
    func set(_ key: StoreKey, to value: [UInt8]) async throws
    /// Removes every value whose key starts with `prefix` followed by `/`, and `prefix` itself.
    /// - Throws: `StorageError` when something cannot be removed.
    func erase(prefix: String) async throws
}

/// Lists keys.
public protocol ListableStorage: Sendable {
    /// Returns every key that starts with `prefix` (all keys for an empty prefix), sorted.
    /// - Throws: `StorageError` when the listing fails.
    func list(prefix: String) async throws -> [StoreKey]
}

/// A store that can be read, written and listed.
public typealias Storage = ReadableStorage & WritableStorage & ListableStorage
