/// A view of the keys below `prefix/` of another store, as a store of its own: key `k` reads
/// `prefix/k`. Used for a node inside a larger hierarchy (a level `1.zarr` of an xcube pyramid).
///
/// ```swift
/// let level = PrefixedStorage(base: pyramid, prefix: "1.zarr")
/// let group = try await level.get(".zgroup")          // reads "1.zarr/.zgroup"
/// ```
public struct PrefixedStorage: ReadableStorage, ListableStorage {
    /// The store viewed.
    public let base: any ReadableStorage
    /// The key prefix, without leading or trailing `/`.
    public let prefix: String

    /// Creates a view of `base` below `prefix` (a valid key).
    public init(base: any ReadableStorage, prefix: String) {
        precondition(StoreKey.isValid(prefix), "invalid key prefix '\(prefix)'")
        self.base = base
        self.prefix = prefix
    }

    private func full(_ key: StoreKey) -> StoreKey { StoreKey(prefix + "/" + key.rawValue) }

    /// The value at `prefix/key`.
    public func get(_ key: StoreKey) async throws -> [UInt8]? { try await base.get(full(key)) }

    /// `range` of the value at `prefix/key`.
    public func get(_ key: StoreKey, range: ByteRange) async throws -> [UInt8]? { try await base.get(full(key), range: range) }

    /// The size of the value at `prefix/key`.
    public func head(_ key: StoreKey) async throws -> ObjectInfo? { try await base.head(full(key)) }

    /// The keys below `prefix/` that start with `keyPrefix`, without `prefix/`.
    /// - Throws: `StorageError` (`.invalid`) when the base store cannot list.
    public func list(prefix keyPrefix: String) async throws -> [StoreKey] {
        try await listable().list(prefix: prefix + "/" + keyPrefix).map { StoreKey(String($0.rawValue.dropFirst(prefix.count + 1))) }
    }

    /// A page of the keys below `prefix/` that start with `keyPrefix`, without `prefix/`.
    /// - Throws: `StorageError` (`.invalid`) when the base store cannot list.
    public func listPage(prefix keyPrefix: String, continuation: String?, limit: Int) async throws -> StoreListingPage {
        let page = try await listable().listPage(prefix: prefix + "/" + keyPrefix, continuation: continuation, limit: limit)
        return StoreListingPage(keys: page.keys.map { StoreKey(String($0.rawValue.dropFirst(prefix.count + 1))) },
                                continuation: page.continuation)
    }

    private func listable() throws -> any ListableStorage {
        guard let listable = base as? any ListableStorage else {
            throw StorageError(operation: "list", location: prefix, reason: "the store below cannot list keys", code: .invalid)
        }
        return listable
    }
}
