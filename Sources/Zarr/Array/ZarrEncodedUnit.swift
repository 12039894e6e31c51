/// What `ZarrChunkWriter.encode` produced for one stored object.
public struct ZarrEncodedUnit: Sendable {
    /// The store key (`tas/c/0/1/2`, `tas/0.1.2`).
    public var key: String
    /// The bytes to store, or `nil` when every chunk in it is fill and nothing is stored.
    public var bytes: [UInt8]?
    /// The grid indices of the chunks (inner chunks of a shard) that are all fill and not stored,
    /// within the array's chunk grid.
    public var emptyChunks: [[Int]]
}
