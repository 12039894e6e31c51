import CubeCore
import Foundation
import Zarr

/// The decoded chunks and shard indexes of every dataset one `ZarrStore` opened, within one byte
/// budget shared by all of them (a source of many Zarr datasets holds no more than one).
///
/// Keys start with the opening's own identifier, so a dataset opened again (possibly rewritten)
/// never sees an earlier opening's chunks; those age out by least-recent use.
struct ZarrChunkCache: Sendable {
    /// A decoded chunk, or `nil` when not stored.
    struct Chunk: Sendable { var bytes: [UInt8]? }
    /// A shard's index, or `nil` when the shard is not stored.
    struct Shard: Sendable { var index: ZarrShardIndex? }

    /// Decoded chunks, by `opening/array/chunk index`.
    let chunks: AsyncCache<String, Chunk>
    /// Shard indexes, by `opening/array/shard index`.
    let shards: AsyncCache<String, Shard>

    /// Creates caches of `budget` bytes of chunks (and 16 MB of shard indexes).
    init(budget: Int) {
        chunks = AsyncCache(budget: budget, cost: { $0.bytes?.count ?? 0 })
        shards = AsyncCache(budget: 16 << 20, cost: { ($0.index?.entries.count ?? 0) * 16 })
    }

    /// A new opening's key prefix.
    static func openingPrefix() -> String { UUID().uuidString + "/" }
}
