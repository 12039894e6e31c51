/// The index at the end of a Zarr v3 shard (`sharding_indexed`, `index_location: "end"`).
///
/// Spec: https://zarr-specs.readthedocs.io/en/latest/v3/codecs/sharding-indexed/index.html. One
/// (offset, nbytes) pair of little-endian u64 per inner chunk in C order, then the CRC-32C of
/// those pairs as a little-endian u32 (the index codecs `bytes` + `crc32c`). A missing inner chunk
/// (all fill) has offset = nbytes = 2^64 − 1.
public struct ZarrShardIndex: Hashable, Sendable {
    /// Per inner chunk in C order: its byte range in the shard, or `nil` when it is not stored.
    public var entries: [Range<Int>?]

    /// The `index_codecs` of the shard index.
    public static let codecs: [JSONValue] = [ZarrCodecChain.bytesCodec, CRC32CCodec().configuration]

    /// The marker of a missing inner chunk.
    static let missing = UInt64.max

    /// Creates an index.
    public init(entries: [Range<Int>?]) { self.entries = entries }

    /// Bytes of an encoded index of `count` entries (16 per entry, 4 for the checksum).
    public static func byteCount(entries count: Int) -> Int { count * 16 + 4 }

    /// The encoded index: the pairs, then their CRC-32C.
    public var encoded: [UInt8] {
        var bytes: [UInt8] = []
        bytes.reserveCapacity(ZarrShardIndex.byteCount(entries: entries.count))
        func append(_ value: UInt64) { withUnsafeBytes(of: value.littleEndian) { bytes.append(contentsOf: $0) } }
        for entry in entries {
            append(entry.map { UInt64($0.lowerBound) } ?? ZarrShardIndex.missing)
            append(entry.map { UInt64($0.count) } ?? ZarrShardIndex.missing)
        }
        let crc = CRC32C.checksum(bytes)
        withUnsafeBytes(of: crc.littleEndian) { bytes.append(contentsOf: $0) }
        return bytes
    }

    /// Reads the index at the end of `shard`, checking its checksum and that every range lies
    /// before the index.
    /// - Parameters:
    ///   - shard: The whole stored shard.
    ///   - count: Inner chunks per shard.
    ///   - key: The shard's key, named in errors.
    /// - Throws: `ZarrError.corruptChunk` naming `key` when the shard is too short, the index
    ///   checksum does not match, or an entry points outside the shard's data.
    public init(shard: [UInt8], count: Int, key: String) throws {
        let size = ZarrShardIndex.byteCount(entries: count)
        guard shard.count >= size else {
            throw ZarrError.corruptChunk(key: key, "\(shard.count) bytes cannot hold a shard index of \(size) bytes")
        }
        try self.init(index: Array(shard[(shard.count - size)...]), count: count, dataLength: shard.count - size, key: key)
    }

    /// Reads an index fetched on its own (the last `byteCount(entries:)` bytes of a shard of
    /// `dataLength + byteCount(entries:)` bytes), checking its checksum and that every range lies
    /// within the `dataLength` data bytes before it.
    /// - Throws: `ZarrError.corruptChunk` naming `key` when the index has the wrong size, its
    ///   checksum does not match, or an entry points outside the shard's data.
    public init(index: [UInt8], count: Int, dataLength start: Int, key: String) throws {
        let size = ZarrShardIndex.byteCount(entries: count)
        guard index.count == size, start >= 0 else {
            throw ZarrError.corruptChunk(key: key, "\(index.count + max(0, start)) bytes cannot hold a shard index of \(size) bytes")
        }
        let (stored, computed) = index.withUnsafeBytes { raw in
            (UInt32(littleEndian: raw.loadUnaligned(fromByteOffset: size - 4, as: UInt32.self)),
             CRC32C.checksum(UnsafeRawBufferPointer(rebasing: raw[0..<(size - 4)])))
        }
        guard stored == computed else {
            throw ZarrError.corruptChunk(key: key, "shard index crc32c mismatch: stored 0x\(String(stored, radix: 16, uppercase: true)), "
                + "computed 0x\(String(computed, radix: 16, uppercase: true))")
        }
        func word(_ offset: Int) -> UInt64 {
            index.withUnsafeBytes { UInt64(littleEndian: $0.loadUnaligned(fromByteOffset: offset, as: UInt64.self)) }
        }
        var pairs: [Range<Int>?] = []
        pairs.reserveCapacity(count)
        for k in 0..<count {
            let offset = word(16 * k), length = word(16 * k + 8)
            if offset == ZarrShardIndex.missing && length == ZarrShardIndex.missing {
                pairs.append(nil)
                continue
            }
            guard offset <= UInt64(start), length <= UInt64(start) - offset else {
                throw ZarrError.corruptChunk(key: key, "shard index entry \(k) (offset \(offset), nbytes \(length)) lies outside the \(start) data bytes")
            }
            pairs.append(Int(offset)..<Int(offset + length))
        }
        entries = pairs
    }
}
