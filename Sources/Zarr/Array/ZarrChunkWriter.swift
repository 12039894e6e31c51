/// Encodes what one write task produces for one array: a chunk, or a whole shard (all its inner
/// chunks, so a shard is written once and never read back), in the hierarchy's format.
///
/// Chunks whose every element is fill are not stored (readers see the fill value); they are
/// reported in `ZarrEncodedUnit.emptyChunks` so completeness checks can tell them from lost ones.
///
/// ```swift
/// let writer = try ZarrChunkWriter(spec: tas, format: .v3)
/// let unit = try writer.encode(at: [0, 0, 0], bytes: decoded)   // decoded: writer.unitShape elements
/// if let bytes = unit.bytes { try await storage.set(StoreKey(unit.key), to: bytes) }
/// ```
public struct ZarrChunkWriter: Sendable {
    /// The array written.
    public let spec: ZarrArraySpec
    /// The format written.
    public let format: ZarrFormat
    private let pipeline: ZarrBytesPipeline

    /// Creates a writer.
    /// - Throws: `ZarrError` when the spec cannot be expressed in `format` (shards or a checksum
    ///   in v2, shards not a multiple of the chunks, a compressor v3 lacks) or its codecs are invalid.
    public init(spec: ZarrArraySpec, format: ZarrFormat, registry: CodecRegistry = .standard) throws {
        switch format {
        case .v2: _ = try spec.v2Metadata()
        case .v3: _ = try spec.v3Document()
        }
        self.spec = spec
        self.format = format
        pipeline = try spec.codecs.makePipeline(registry: registry, elementSize: spec.dataType.size)
    }

    /// The shape of the decoded buffer `encode` takes: the shard, or the chunk.
    public var unitShape: [Int] { spec.storedShape }

    /// Encodes the stored object at grid index `unit` (shard or chunk index).
    /// - Parameters:
    ///   - unit: The index in the grid of shards (or chunks when not sharded).
    ///   - bytes: `unitShape` elements in C order, little-endian, edges padded with fill.
    /// - Throws: a codec's error.
    public func encode(at unit: [Int], bytes: [UInt8]) throws -> ZarrEncodedUnit {
        guard spec.shards != nil else { return try bytes.withUnsafeBytes { try encode(at: unit, raw: $0) } }
        let key = spec.storedKey(unit, format: format)
        let perShard = spec.chunksPerShard, chunkCounts = spec.chunkCounts
        let padding = fillBytes
        var data: [UInt8] = []
        var entries: [Range<Int>?] = []
        var empty: [[Int]] = []
        for inner in ZarrArraySpec.indices(perShard) {
            let origin = zip(inner, spec.chunks).map { $0 * $1 }
            let chunk = ZarrBlock.extract(bytes, sourceShape: unitShape, origin: origin, shape: spec.chunks,
                                          elementSize: spec.dataType.size, padding: padding)
            let global = zip(unit, zip(perShard, inner)).map { $0 * $1.0 + $1.1 }
            if spec.dataType.isAllFill(chunk, fill: spec.fillValue) {
                entries.append(nil)
                // Inner chunks past the array's edge are not chunks of the array.
                if zip(global, chunkCounts).allSatisfy({ $0 < $1 }) { empty.append(global) }
                continue
            }
            let encoded = try pipeline.encode(chunk)
            entries.append(data.count..<(data.count + encoded.count))
            data += encoded
        }
        guard entries.contains(where: { $0 != nil }) else { return ZarrEncodedUnit(key: key, bytes: nil, emptyChunks: empty) }
        return ZarrEncodedUnit(key: key, bytes: data + ZarrShardIndex(entries: entries).encoded, emptyChunks: empty)
    }

    /// `encode(at:bytes:)` of the bytes `raw` points at; a chunk (not a shard) is compressed
    /// where it lies, without a copy.
    /// - Throws: a codec's error.
    public func encode(at unit: [Int], raw: UnsafeRawBufferPointer) throws -> ZarrEncodedUnit {
        guard spec.shards == nil else { return try encode(at: unit, bytes: Array(raw)) }
        let key = spec.storedKey(unit, format: format)
        if spec.dataType.isAllFill(raw: raw, fill: spec.fillValue) { return ZarrEncodedUnit(key: key, bytes: nil, emptyChunks: [unit]) }
        return ZarrEncodedUnit(key: key, bytes: try pipeline.encode(raw: raw), emptyChunks: [])
    }

    /// One element of fill, little-endian (zeros for `.none`).
    var fillBytes: [UInt8] { spec.dataType.bytes(of: spec.fillValue) }
}
