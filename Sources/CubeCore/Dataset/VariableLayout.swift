/// How a variable is stored, for descriptions (`cubegen inspect`): its chunking and codecs.
public struct VariableLayout: Hashable, Sendable {
    /// The chunk shape, in storage order.
    public var chunks: [Int]
    /// The shard shape (objects holding several chunks), if sharded.
    public var shards: [Int]?
    /// The codecs, one line (`blosc(cname "zstd", clevel 5) + crc32c`).
    public var codecs: String

    /// Creates a layout.
    public init(chunks: [Int], shards: [Int]? = nil, codecs: String) {
        self.chunks = chunks
        self.shards = shards
        self.codecs = codecs
    }
}
