import CubeCore
import CubeStorage
import Zarr

/// Reads windows of one time step from the arrays of an open Zarr group (see `ZarrStore`).
///
/// Only the chunks a window touches are fetched; for a sharded array, the shard's index once and
/// then each needed inner chunk by byte range. Decoded chunks and shard indexes are kept in the
/// store's bounded cache, so the time steps of one chunk (and neighbouring windows) decode it once.
struct ZarrDatasetReader: LevelDatasetReader {
    let descriptor: DatasetDescriptor
    /// Readers of the data variables, by name.
    let arrays: [String: ZarrArrayReader]
    /// The store's caches, shared by every dataset it opened.
    let cache: ZarrChunkCache
    /// This opening's prefix of cache keys.
    let cachePrefix = ZarrChunkCache.openingPrefix()
    /// Chunk requests in flight per read.
    static let concurrentChunks = 16
    /// Whether a read decodes only the time step it needs of a chunk that holds several, from the
    /// chunk's stored bytes (kept in the cache instead of decoded chunks), where the codecs allow
    /// (`ZarrArrayReader.decodesRanges`): for random access, as a tile server's.
    var decodesSteps = false

    /// Reads one time step of `variable` over `window`, decoded, as rows of the grid's y order.
    func read(_ variable: String, timeIndex: Int, window: PixelWindow) async throws -> [Float] {
        try await read(variable, timeIndex: timeIndex, selection: [], window: window)
    }

    /// Reads one time step of `variable` at one index of each dimension of `selection` (a level,
    /// a member; its other dimensions besides time, y and x must be one long) over `window`.
    func read(_ variable: String, timeIndex: Int, selection: [(dimension: String, index: Int)], window: PixelWindow) async throws -> [Float] {
        // A group storing a subset of a cell grid: read the stored positions, place them at their cells.
        guard let cells = descriptor.cellStorage, cells.needsScatter else {
            return try await readStored(variable, timeIndex: timeIndex, selection: selection, window: window)
        }
        let stored = cells.storedRange(covering: window.columns)
        let values = stored.isEmpty ? [] : try await readStored(variable, timeIndex: timeIndex, selection: selection,
                                                                 window: PixelWindow(rows: 0..<1, columns: stored))
        return cells.scatter(values, stored: stored, into: window.columns)
    }

    /// Reads `window` in storage positions (for a cell grid: one row, the cell dimension's positions).
    private func readStored(_ variable: String, timeIndex: Int, selection: [(dimension: String, index: Int)],
                            window: PixelWindow) async throws -> [Float] {
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
                if let index = selection.first(where: { $0.dimension == dimension })?.index {
                    guard (0..<length).contains(index) else {
                        throw CubeError(.invalidInput, "'\(location)': array '\(variable)' has no index \(index) along '\(dimension)' (\(length) long)",
                                        context: ["file": location, "variable": variable])
                    }
                    region.append(index..<(index + 1))
                    continue
                }
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
        let slab = decodesSteps ? ZarrDatasetReader.slab(of: array, region: region, yAxis: yAxis, xAxis: xAxis) : nil
        let block = RegionBlock(region: region, chunks: slab?.chunks ?? spec.chunks, yAxis: yAxis, xAxis: xAxis)
        try await withThrowingTaskGroup(of: ([Int], [UInt8]?).self) { group in
            var next = 0
            func start() {
                guard next < needed.count else { return }
                let index = needed[next]
                next += 1
                if let slab {
                    group.addTask { (slab.index(index), try await self.step(index, slab, of: array, variable: variable)) }
                } else {
                    group.addTask { (index, try await self.chunk(index, of: array, variable: variable)) }
                }
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

    /// The one step (one element along every dimension but y and x) of a chunk a read needs:
    /// contiguous in a C-order chunk whose y and x dimensions come last.
    struct Slab: Sendable {
        /// The chunk shape with 1 along every dimension but y and x.
        var chunks: [Int]
        /// The region's start along every dimension (its only element along all but y and x).
        var start: [Int]
        var yAxis: Int
        var xAxis: Int
        /// The slab's byte range within chunk `index`.
        let byteRange: @Sendable ([Int]) -> Range<Int>

        /// The index of the slab's own one-step "chunk" for `RegionBlock` (chunk `index` along y and x).
        func index(_ index: [Int]) -> [Int] {
            index.indices.map { d in d == yAxis || d == xAxis ? index[d] : start[d] }
        }
    }

    /// The slab of `region` for `array`, or `nil` when whole chunks are better (or the only way):
    /// codecs that cannot decode a range, a sharded array, y and x not last, or chunks one step long.
    static func slab(of array: ZarrArrayReader, region: [Range<Int>], yAxis: Int, xAxis: Int) -> Slab? {
        let spec = array.spec, rank = spec.chunks.count
        guard array.decodesRanges, rank >= 2, Set([yAxis, xAxis]) == Set([rank - 2, rank - 1]) else { return nil }
        let steps = spec.chunks.indices.filter { $0 != yAxis && $0 != xAxis }.reduce(1) { $0 * spec.chunks[$1] }
        guard steps > 1 else { return nil }
        var elementStrides = [Int](repeating: 1, count: rank)
        for d in stride(from: rank - 2, through: 0, by: -1) { elementStrides[d] = elementStrides[d + 1] * spec.chunks[d + 1] }
        let strides = elementStrides, plane = spec.chunks[yAxis] * spec.chunks[xAxis], size = spec.dataType.size
        let start = region.map(\.lowerBound), chunks = spec.chunks
        return Slab(chunks: chunks.indices.map { $0 == yAxis || $0 == xAxis ? chunks[$0] : 1 }, start: start, yAxis: yAxis, xAxis: xAxis) { index in
            var base = 0
            for d in 0..<rank where d != yAxis && d != xAxis { base += (start[d] - index[d] * chunks[d]) * strides[d] }
            return (base * size)..<((base + plane) * size)
        }
    }

    /// The decoded bytes of the slab of chunk `index`, from the chunk's stored bytes (through the
    /// cache), `nil` when not stored.
    private func step(_ index: [Int], _ slab: Slab, of array: ZarrArrayReader, variable: String) async throws -> [UInt8]? {
        let key = "\(cachePrefix)\(variable)/\(index)/stored"
        do {
            guard let stored = try await cache.chunks.value(for: key, load: { ZarrChunkCache.Chunk(bytes: try await array.storedChunk(index)) }).bytes else {
                return nil
            }
            return try array.decode(stored: stored, at: index, byteRange: slab.byteRange(index))
        } catch {
            throw ZarrStoreErrors.wrap(error, location: descriptor.location, array: variable)
        }
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
