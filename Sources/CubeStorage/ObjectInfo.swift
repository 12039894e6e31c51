public import Foundation

/// What a store knows about a value without reading it.
public struct ObjectInfo: Hashable, Sendable {
    /// The size of the value in bytes.
    public var size: Int
    /// The entity tag, without quotes, when the store has one (object stores do; files do not).
    public var etag: String?
    /// When the value was last written, when the store knows.
    public var modified: Date?

    /// Creates a description of a value.
    public init(size: Int, etag: String? = nil, modified: Date? = nil) {
        self.size = size
        self.etag = etag
        self.modified = modified
    }
}
