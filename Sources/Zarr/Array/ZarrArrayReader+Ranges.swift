import CubeStorage

/// Reads single chunks without fetching more than they need: an unsharded chunk is one GET; an
/// inner chunk of a shard is one ranged GET of its bytes, found through the shard's index, which
/// is read once (its size by HEAD, then the index as a bounded range at the end).
///
/// ```swift
/// let index = try await reader.shardIndex(of: [0, 3, 2])       // nil: the shard is not stored
/// let bytes = try await reader.chunk([0, 7, 5], in: index)     // nil: all fill
/// ```
extension ZarrArrayReader {
    /// The index of the stored shard at grid index `shard` (in the grid of shards), or `nil` when
    /// the shard is not stored.
    /// - Precondition: the array is sharded.
    /// - Throws: `ZarrError.corruptChunk` naming the shard's key when the index is damaged or
    ///   does not fit the shard; a `StorageError` when reading fails.
    public func shardIndex(of shard: [Int]) async throws -> ZarrShardIndex? {
        precondition(spec.shards != nil, "shardIndex(of:) on an unsharded array")
        let key = spec.storedKey(shard, format: format)
        let count = spec.chunksPerShard.reduce(1, *)
        let size = ZarrShardIndex.byteCount(entries: count)
        guard let info = try await storage.head(StoreKey(key)) else { return nil }
        guard info.size >= size else {
            throw ZarrError.corruptChunk(key: key, "\(info.size) bytes cannot hold a shard index of \(size) bytes")
        }
        guard let bytes = try await readRange(key, .bounded((info.size - size)..<info.size)) else { return nil }
        return try ZarrShardIndex(index: bytes, count: count, dataLength: info.size - size, key: key)
    }

    /// The decoded bytes of chunk `indices` (edge chunks padded), reading only that chunk's bytes;
    /// `nil` when it is not stored (reads as fill).
    /// - Parameter index: For a sharded array, the index of the shard holding the chunk
    ///   (`shardIndex(of:)`; `nil` when the shard is not stored). Ignored for unsharded arrays.
    /// - Throws: `ZarrError.corruptChunk` naming the key when the bytes do not decode.
    public func chunk(_ indices: [Int], in index: ZarrShardIndex?) async throws -> [UInt8]? {
        let key = spec.chunkKey(indices, format: format)
        guard spec.shards != nil else {
            guard let stored = try await storage.get(StoreKey(key)) else { return nil }
            return try decoder.decodeChunk(stored, key: key)
        }
        let perShard = spec.chunksPerShard
        let inner = zip(indices, perShard).map { $0 % $1 }
        guard let index, let range = index.entries[ZarrBlock.flat(inner, perShard)] else { return nil }
        guard let bytes = try await readRange(key, .bounded(range)) else {
            throw ZarrError.corruptChunk(key: key, "the shard disappeared while it was read")
        }
        return try decoder.decodeChunk(bytes, key: key)
    }

    /// The index of the shard holding chunk `indices`.
    public func shard(holding indices: [Int]) -> [Int] { zip(indices, spec.chunksPerShard).map { $0 / $1 } }

    /// A ranged read; a range past the end of the object (it is shorter than its index says) is a
    /// damaged shard.
    private func readRange(_ key: String, _ range: ByteRange) async throws -> [UInt8]? {
        do {
            return try await storage.get(StoreKey(key), range: range)
        } catch let error as StorageError where error.code == .invalid {
            throw ZarrError.corruptChunk(key: key, "byte range \(range) lies outside the stored object: \(error.reason)")
        }
    }
}
