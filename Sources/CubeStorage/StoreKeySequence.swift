/// The keys of a listing, fetched one page at a time as the sequence is read (nothing is fetched
/// ahead of the reader). Obtain one with `ListableStorage.keys(prefix:pageSize:)`.
public struct StoreKeySequence<Store: ListableStorage>: AsyncSequence, Sendable {
    /// The element type: one key.
    public typealias Element = StoreKey

    let storage: Store
    let prefix: String
    let pageSize: Int

    /// Reads the keys page by page.
    public struct AsyncIterator: AsyncIteratorProtocol {
        let storage: Store
        let prefix: String
        let pageSize: Int
        var buffered: [StoreKey] = []
        var index = 0
        var token: String?
        var finished = false

        /// The next key, or `nil` after the last one.
        public mutating func next() async throws -> StoreKey? {
            while index == buffered.count {
                if finished { return nil }
                let page = try await storage.listPage(prefix: prefix, continuation: token, limit: pageSize)
                buffered = page.keys
                index = 0
                token = page.continuation
                finished = page.continuation == nil
            }
            defer { index += 1 }
            return buffered[index]
        }
    }

    /// Starts reading the listing.
    public func makeAsyncIterator() -> AsyncIterator {
        AsyncIterator(storage: storage, prefix: prefix, pageSize: pageSize)
    }
}

extension ListableStorage {
    /// The keys starting with `prefix`, in ascending order, fetched `pageSize` at a time.
    /// - Precondition: `pageSize` is at least 1.
    public func keys(prefix: String, pageSize: Int = 1000) -> StoreKeySequence<Self> {
        precondition(pageSize >= 1, "page size must be at least 1, not \(pageSize)")
        return StoreKeySequence(storage: self, prefix: prefix, pageSize: pageSize)
    }
}
