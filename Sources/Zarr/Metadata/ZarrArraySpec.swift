/// One array of a Zarr hierarchy, described independently of the format it is written in.
///
/// `ZarrArraySpec+V2` and `ZarrArraySpec+V3` render it as `.zarray`/`.zattrs` or `zarr.json` and
/// read it back; `ZarrChunkWriter` and `ZarrArrayReader` use it for chunk keys and codecs.
///
/// ```swift
/// let tas = ZarrArraySpec(name: "tas", shape: [10, 256, 256], chunks: [1, 64, 64], shards: [5, 256, 256],
///                         dataType: .float32, fillValue: .nan, codecs: ZarrCodecChain(compressor: nil, checksum: true),
///                         dimensionNames: ["time", "y", "x"], attributes: .object([("units", .string("K"))]))
/// ```
public struct ZarrArraySpec: Hashable, Sendable {
    /// The array's name (its key prefix below the group).
    public var name: String
    /// The shape; empty for a scalar.
    public var shape: [Int]
    /// The chunk shape a reader decodes (the inner chunk when sharded); same rank as `shape`.
    public var chunks: [Int]
    /// The shard shape (each a multiple of `chunks`), or `nil` for one stored object per chunk.
    /// Zarr v3 only.
    public var shards: [Int]?
    /// The element type.
    public var dataType: ZarrDataType
    /// What missing chunks (and missing inner chunks of a shard) read as.
    public var fillValue: ZarrFillValue
    /// The bytes→bytes codecs of each chunk.
    public var codecs: ZarrCodecChain
    /// One name per dimension.
    public var dimensionNames: [String]
    /// The array's attributes (an object), without dimension names or fill value, which the
    /// format adds as it needs.
    public var attributes: JSONValue
    /// Whether the attributes carry the fill value as CF `_FillValue` where the format needs it for
    /// xarray to mask (v3: base64 float64 for floats, a plain integer otherwise; v2 masks with
    /// `fill_value` alone). True for data variables, false for coordinates.
    public var masksFill: Bool
    /// How chunk keys are formed; `nil` for the format's default (v2 `0.1.2`, v3 `c/0/1/2`), which
    /// is what CubeGen writes. Set when reading arrays written with `/` (v2) or `v2` keys (v3).
    public var keyEncoding: ZarrChunkKeyEncoding?

    /// Creates a spec.
    public init(name: String, shape: [Int], chunks: [Int], shards: [Int]? = nil, dataType: ZarrDataType, fillValue: ZarrFillValue,
                codecs: ZarrCodecChain, dimensionNames: [String], attributes: JSONValue, masksFill: Bool = false) {
        precondition(shape.count == chunks.count && dimensionNames.count == shape.count, "shape, chunks and dimension names differ in rank")
        self.name = name
        self.shape = shape
        self.chunks = chunks
        self.shards = shards
        self.dataType = dataType
        self.fillValue = fillValue
        self.codecs = codecs
        self.dimensionNames = dimensionNames
        self.attributes = attributes
        self.masksFill = masksFill
    }

    /// The shape of one stored object: the shard, or the chunk when not sharded.
    public var storedShape: [Int] { shards ?? chunks }

    /// The number of chunks along each dimension.
    public var chunkCounts: [Int] { ZarrArraySpec.counts(shape, chunks) }

    /// The number of stored objects (shards, or chunks) along each dimension.
    public var storedCounts: [Int] { ZarrArraySpec.counts(shape, storedShape) }

    /// Chunks per shard along each dimension (all 1 when not sharded).
    public var chunksPerShard: [Int] { zip(storedShape, chunks).map { $1 == 0 ? 1 : $0 / $1 } }

    /// Every chunk index in C order (`[[]]` for a scalar).
    public var chunkIndices: [[Int]] { ZarrArraySpec.indices(chunkCounts) }

    /// Every stored-object index (shard or chunk) in C order.
    public var storedIndices: [[Int]] { ZarrArraySpec.indices(storedCounts) }

    /// The chunks of the stored object (shard) at `unit`, in the C order of its index: each one's
    /// grid index, or `nil` for inner chunks past the array's edge (not chunks of the array).
    /// One entry, `unit` itself, when not sharded.
    public func chunks(inStored unit: [Int]) -> [[Int]?] {
        let perShard = chunksPerShard, counts = chunkCounts
        return ZarrArraySpec.indices(perShard).map { inner in
            let global = zip(unit, zip(perShard, inner)).map { $0 * $1.0 + $1.1 }
            return zip(global, counts).allSatisfy({ $0 < $1 }) ? global : nil
        }
    }

    /// Bytes of one decoded chunk.
    public var chunkByteCount: Int { chunks.reduce(1, *) * dataType.size }

    /// The key of the chunk at `indices` (`tas/0.1.2` in v2, `tas/c/0/1/2` in v3). For a sharded
    /// array this is the key of the shard holding it.
    public func chunkKey(_ indices: [Int], format: ZarrFormat) -> String {
        guard shards != nil else { return storedKey(indices, format: format) }
        return storedKey(zip(indices, chunksPerShard).map { $0 / $1 }, format: format)
    }

    /// The key of the stored object (shard, or chunk) at `indices`.
    public func storedKey(_ indices: [Int], format: ZarrFormat) -> String {
        (keyEncoding ?? (format == .v2 ? .v2Dot : .v3Default)).key(array: name, indices: indices)
    }

    static func counts(_ shape: [Int], _ chunks: [Int]) -> [Int] {
        zip(shape, chunks).map { $1 == 0 ? 0 : ($0 + $1 - 1) / $1 }
    }

    /// Every index of a grid of `counts` in C order (`[[]]` for rank 0, none when a count is 0).
    static func indices(_ counts: [Int]) -> [[Int]] {
        if counts.isEmpty { return [[]] }
        guard !counts.contains(0) else { return [] }
        var all: [[Int]] = []
        all.reserveCapacity(counts.reduce(1, *))
        var index = [Int](repeating: 0, count: counts.count)
        while true {
            all.append(index)
            var d = counts.count - 1
            while d >= 0 {
                index[d] += 1
                if index[d] < counts[d] { break }
                index[d] = 0
                d -= 1
            }
            if d < 0 { return all }
        }
    }
}
