/// One page of a listing: some keys, and where the next page starts.
public struct StoreListingPage: Hashable, Sendable {
    /// The keys of this page, in ascending order.
    public var keys: [StoreKey]
    /// The token to pass to get the next page, or `nil` when this is the last page.
    /// Opaque: only the store that returned it understands it.
    public var continuation: String?

    /// Creates a page.
    public init(keys: [StoreKey], continuation: String?) {
        self.keys = keys
        self.continuation = continuation
    }
}
