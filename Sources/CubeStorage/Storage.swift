/// Reads values stored under keys: a directory, an object-store prefix, memory, an HTTPS site.
///
/// ## Implementation guidance
/// Return `nil` for a missing key; throw only for real failures (permissions, I/O errors), as a
/// `StorageError` whose `code` says what kind of failure it was. A read that returns fewer bytes than
/// the store announced is a failure (`.transient`), never a short value. Validate a new backend with
/// the storage conformance kit (`Tests/CubeFixtures/StorageConformance.swift`).
public protocol ReadableStorage: Sendable {
    /// Returns the bytes stored at `key`, or `nil` if the key does not exist.
    /// - Parameter key: The key to read.
    /// - Returns: The whole value, or `nil` when there is none.
    /// - Throws: `StorageError` when the value exists but cannot be read.
    func get(_ key: StoreKey) async throws -> [UInt8]?

    /// Returns the bytes of `range` of the value at `key`, or `nil` if the key does not exist.
    /// - Throws: `StorageError` with code `.invalid` when a bounded range reaches past the end of the value.
    func get(_ key: StoreKey, range: ByteRange) async throws -> [UInt8]?

    /// Returns the size (and, where known, entity tag and modification date) of the value at `key`,
    /// or `nil` if the key does not exist.
    func head(_ key: StoreKey) async throws -> ObjectInfo?
}

/// Writes and erases values under keys.
///
/// ## Implementation guidance
/// `set` and `put` must be atomic per key: a reader sees the old value, the new value or nothing,
/// never a partial value. Writes to different keys may run concurrently. `put` with `.ifAbsent` must
/// be decided by the store itself (one atomic check-and-write), not by a `head` before the write.
public protocol WritableStorage: Sendable {
    /// Stores `value` under `key`, replacing any previous value.
    /// - Throws: `StorageError` when the value cannot be written.
    func set(_ key: StoreKey, to value: [UInt8]) async throws

    /// Stores `value` under `key` if `condition` allows it.
    /// - Throws: `StorageError` with code `.conditionFailed` when `condition` is `.ifAbsent` and the
    ///   key has a value; other codes when the value cannot be written.
    func put(_ key: StoreKey, _ value: [UInt8], condition: WriteCondition) async throws

    /// Removes the value at `key`; removing a missing key is not an error.
    /// - Throws: `StorageError` when the value cannot be removed.
    func delete(_ key: StoreKey) async throws

    /// Removes every value whose key starts with `prefix` followed by `/`, and `prefix` itself
    /// (everything for an empty prefix): the store's delete by prefix.
    /// - Throws: `StorageError` when something cannot be removed.
    func erase(prefix: String) async throws
}

/// Lists keys.
public protocol ListableStorage: Sendable {
    /// Returns every key that starts with `prefix` (all keys for an empty prefix), sorted.
    /// - Throws: `StorageError` when the listing fails.
    func list(prefix: String) async throws -> [StoreKey]

    /// Returns up to `limit` keys that start with `prefix`, in ascending order, beginning where the
    /// page that returned `continuation` ended (at the first key for `nil`).
    /// - Precondition: `limit` is at least 1 (a programmer error traps).
    /// - Throws: `StorageError` when the listing fails.
    func listPage(prefix: String, continuation: String?, limit: Int) async throws -> StoreListingPage
}

/// A store that can be read, written and listed.
public typealias Storage = ReadableStorage & WritableStorage & ListableStorage
