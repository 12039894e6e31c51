/// Decodes what is stored under one key of an array (a chunk, or a whole shard) back into its
/// chunks' bytes, checking every checksum on the way: the shard index's CRC-32C and each chunk's
/// `crc32c` codec. Pure: no storage, so a reader, a verifier or a fuzz target can use it.
///
/// ```swift
/// let decoder = try ZarrChunkDecoder(spec: spec, format: .v3)
/// let chunks = try decoder.decode(storedBytes, key: "tas/c/0/0/0")   // nil entries: not stored
/// ```
public struct ZarrChunkDecoder: Sendable {
    /// The array decoded.
    public let spec: ZarrArraySpec
    /// The format it is stored in.
    public let format: ZarrFormat
    private let pipeline: ZarrBytesPipeline

    /// Creates a decoder.
    /// - Throws: `ZarrError` for unknown or invalid codecs.
    public init(spec: ZarrArraySpec, format: ZarrFormat, registry: CodecRegistry = .standard) throws {
        self.spec = spec
        self.format = format
        pipeline = try spec.codecs.makePipeline(registry: registry, elementSize: spec.dataType.size)
    }

    /// The decoded chunks of a stored object read from `key`: one for an unsharded array; for a
    /// shard, one per inner chunk in C order, `nil` where the index marks it missing (all fill).
    /// - Throws: `ZarrError.corruptChunk` naming `key` when the shard index, a checksum or a
    ///   chunk does not decode, or a chunk decodes to the wrong size.
    public func decode(_ stored: [UInt8], key: String) throws -> [[UInt8]?] {
        guard spec.shards != nil else { return [try decodeChunk(stored, key: key)] }
        let index = try ZarrShardIndex(shard: stored, count: spec.chunksPerShard.reduce(1, *), key: key)
        return try index.entries.map { range in try range.map { try decodeChunk(Array(stored[$0]), key: key) } }
    }

    /// Whether `decodeChunk(_:key:byteRange:)` decodes less than a whole chunk (no codec, or Blosc alone).
    public var decodesRanges: Bool { pipeline.decodesRanges }

    /// The bytes `byteRange` of one decoded chunk, decoding no more of it than the codecs need.
    /// - Throws: `ZarrError.corruptChunk` naming `key` when it does not decode.
    public func decodeChunk(_ bytes: [UInt8], key: String, byteRange: Range<Int>) throws -> [UInt8] {
        do {
            return try pipeline.decode(bytes, decodedCount: spec.chunkByteCount, byteRange: byteRange)
        } catch let error as ZarrError {
            if case .corruptChunk = error { throw error }
            throw ZarrError.corruptChunk(key: key, "\(error)")
        }
    }

    /// Decodes the stored bytes of one chunk (an inner chunk of a shard, read by its range, or an
    /// unsharded chunk read whole).
    /// - Throws: `ZarrError.corruptChunk` naming `key` when it does not decode to one chunk's bytes.
    public func decodeChunk(_ bytes: [UInt8], key: String) throws -> [UInt8] {
        do {
            return try pipeline.decode(bytes, decodedCount: spec.chunkByteCount)
        } catch let error as ZarrError {
            if case .corruptChunk = error { throw error }
            throw ZarrError.corruptChunk(key: key, "\(error)")
        }
    }
}
