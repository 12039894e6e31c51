import CubeCore
import CubeStorage
import Zarr

/// Reads windows of one time step from the arrays of an open Zarr group (see `ZarrStore`).
///
/// Only the chunks a window touches are fetched; for a sharded array, the shard's index once and
/// then each needed inner chunk by byte range. Decoded chunks and shard indexes are kept in the
/// store's bounded cache, so the time steps of one chunk (and neighbouring windows) decode it once.
struct ZarrDatasetReader: DatasetReader {
    let descriptor: DatasetDescriptor
    /// Readers of the data variables, by name.
    let arrays: [String: ZarrArrayReader]
    /// The store's caches, shared by every dataset it opened.
    let cache: ZarrChunkCache
    /// This opening's prefix of cache keys.
    let cachePrefix = ZarrChunkCache.openingPrefix()
    /// Chunk requests in flight per read.
    static let concurrentChunks = 16

    /// Reads one time step of `variable` over `window`, decoded, as rows of the grid's y order.
    func read(_ variable: String, timeIndex: Int, window: PixelWindow) async throws -> [Float] {
        let location = descriptor.location
        guard let array = arrays[variable], let described = descriptor.variable(variable) else {
            throw CubeError(.invalidInput, "'\(location)' has no gridded variable '\(variable)'", context: ["file": location, "variable": variable])
        }
        let spec = array.spec
        let (xDim, yDim) = descriptor.spatialDimensions
        var region: [Range<Int>] = []
        for (dimension, length) in zip(spec.dimensionNames, spec.shape) {
            switch dimension {
            case xDim: region.append(window.columns)
            case yDim: region.append(window.rows)
            case descriptor.timeDimension: region.append(timeIndex..<(timeIndex + 1))
            default:
                guard length == 1 else {
                    throw CubeError(.unsupported,
                        "'\(location)': array '\(variable)' has dimension '\(dimension)' of length \(length); only time, y, x (and length-1 dimensions) are supported",
                        context: ["file": location, "variable": variable])
                }
                region.append(0..<1)
            }
        }
        guard let xAxis = spec.dimensionNames.firstIndex(of: xDim), let yAxis = spec.dimensionNames.firstIndex(of: yDim) else {
            throw CubeError(.internalInconsistency, "'\(location)': array '\(variable)' lacks the grid dimensions")
        }
        var values = [Float](repeating: 0, count: window.count)
        if window.isEmpty { return values }
        let needed = ZarrDatasetReader.chunkIndices(region: region, chunks: spec.chunks)
        let fill = Float(spec.fillValue == .none && !spec.dataType.isFloatingPoint ? 0 : spec.fillValue.doubleValue)
        let block = RegionBlock(region: region, chunks: spec.chunks, yAxis: yAxis, xAxis: xAxis)
        try await withThrowingTaskGroup(of: ([Int], [UInt8]?).self) { group in
            var next = 0
            func start() {
                guard next < needed.count else { return }
                let index = needed[next]
                next += 1
                group.addTask { (index, try await self.chunk(index, of: array, variable: variable)) }
            }
            for _ in 0..<ZarrDatasetReader.concurrentChunks { start() }
            while let (index, bytes) = try await group.next() {
                values.withUnsafeMutableBufferPointer { out in
                    block.copy(chunk: index, bytes: bytes, dataType: spec.dataType, fill: fill, into: out)
                }
                start()
            }
        }
        if !described.packing.isIdentity { values.withUnsafeMutableBufferPointer { described.packing.decode($0) } }
        return values
    }

    /// The decoded bytes of chunk `index` of `array` (through the caches), `nil` when not stored.
    private func chunk(_ index: [Int], of array: ZarrArrayReader, variable: String) async throws -> [UInt8]? {
        let key = "\(cachePrefix)\(variable)/\(index)", cache = self.cache
        let shardKey = "\(cachePrefix)\(variable)/\(array.shard(holding: index))"
        do {
            return try await cache.chunks.value(for: key) {
                guard array.spec.shards != nil else { return ZarrChunkCache.Chunk(bytes: try await array.chunk(index, in: nil)) }
                let shard = array.shard(holding: index)
                let entry = try await cache.shards.value(for: shardKey) { ZarrChunkCache.Shard(index: try await array.shardIndex(of: shard)) }
                return ZarrChunkCache.Chunk(bytes: try await array.chunk(index, in: entry.index))
            }.bytes
        } catch {
            throw ZarrStoreErrors.wrap(error, location: descriptor.location, array: variable)
        }
    }

    /// Every chunk index whose chunk intersects `region`, in C order.
    static func chunkIndices(region: [Range<Int>], chunks: [Int]) -> [[Int]] {
        let spans = zip(region, chunks).map { range, size in (range.lowerBound / size)...((range.upperBound - 1) / size) }
        var all: [[Int]] = [[]]
        for span in spans { all = all.flatMap { prefix in span.map { prefix + [$0] } } }
        return all
    }
}
