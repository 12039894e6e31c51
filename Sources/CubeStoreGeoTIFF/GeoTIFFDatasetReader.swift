public import CubeCore
import Synchronization

/// Reads windows of one open GeoTIFF (see `GeoTIFFStore`): only the tiles or strips a window
/// touches are decoded, each at most once while it stays in the reader's block cache.
public final class GeoTIFFDatasetReader: MultiResolutionReader {
    /// What the file holds.
    public let descriptor: DatasetDescriptor
    /// The file's structure: image layout and overviews.
    public let structure: GeoTIFFStructure
    let file: TIFFFile
    private let cache: BlockCache
    private let decoded = DecodeCounter()

    init(file: TIFFFile, structure: GeoTIFFStructure, cacheBytes: Int) {
        self.file = file
        self.structure = structure
        descriptor = structure.descriptor
        cache = BlockCache(limit: cacheBytes)
    }

    /// The number of blocks (tiles or strips) decoded so far: what a window read cost.
    public var blocksDecoded: Int { decoded.count.withLock { $0 } }

    /// For an object read by byte range: the bytes fetched and requests made so far (header
    /// included); `nil` for a local file.
    public var rangeFetches: (bytes: Int, requests: Int)? { file.sync { file.fetched } }

    /// Reads band `variable` (`band_N`, or a name the pipeline mapped to it) over `window`,
    /// decoded: nodata becomes NaN, scale and offset applied. `timeIndex` is ignored (a GeoTIFF
    /// holds one time).
    /// - Throws: `CubeError` naming the file: unknown band, window outside the image, damaged blocks.
    public func read(_ variable: String, timeIndex: Int, window: PixelWindow) async throws -> [Float] {
        try await read(variable, timeIndex: timeIndex, window: window, overview: 0)
    }

    /// Reads band `variable` over `window` of internal overview `overview` (0: the full image;
    /// `k`: `structure.overviews[k - 1]`, the grid `descriptor.overviews[k - 1]`), decoded as
    /// the full image is.
    /// - Throws: `CubeError` naming the file: unknown band or overview, window outside the image, damaged blocks.
    public func read(_ variable: String, timeIndex: Int, window: PixelWindow, overview: Int) async throws -> [Float] {
        let path = file.path
        guard (0...structure.overviews.count).contains(overview) else {
            throw CubeError(.invalidInput, "'\(path)' has no overview \(overview) (it has \(structure.overviews.count))",
                            context: ["file": path])
        }
        let layout = overview == 0 ? structure.image : structure.overviews[overview - 1]
        guard let sample = GeoTIFFStructure.sample(of: variable, bands: layout.samplesPerPixel),
              let described = descriptor.variable(variable) else {
            throw CubeError(.invalidInput, "'\(path)' has no band '\(variable)' (bands: band_1…band_\(layout.samplesPerPixel))",
                            context: ["file": path, "variable": variable])
        }
        guard window.rows.lowerBound >= 0, window.columns.lowerBound >= 0, window.rows.upperBound <= layout.height,
              window.columns.upperBound <= layout.width else {
            throw CubeError(.internalInconsistency, "'\(path)': window \(window) lies outside the \(layout.width) × \(layout.height) image",
                            context: ["file": path])
        }
        let file = self.file, cache = self.cache
        var values = try await file.run { [decoded] in
            var output = [Float](repeating: .nan, count: window.count)
            let size = layout.blockSize
            let samples = layout.interleave == .pixel ? layout.samplesPerPixel : 1
            for blockRow in (window.rows.lowerBound / size.height)...((window.rows.upperBound - 1) / size.height) {
                for blockColumn in (window.columns.lowerBound / size.width)...((window.columns.upperBound - 1) / size.width) {
                    let index = layout.blockIndex(column: blockColumn, row: blockRow, sample: sample)
                    let top = blockRow * size.height, left = blockColumn * size.width
                    // A block the window covers whole is not kept: a later read needs it only for
                    // the same pixels, which the caller's plane cache holds; blocks on the window's
                    // edge are kept for the neighbouring windows.
                    let whole = window.rows.lowerBound <= top && window.rows.upperBound >= min(top + size.height, layout.height)
                        && window.columns.lowerBound <= left && window.columns.upperBound >= min(left + size.width, layout.width)
                    let block = try cache.block(BlockCache.Key(directory: layout.directory, index: index), keep: !whole) {
                        decoded.count.withLock { $0 += 1 }
                        var bytes = [UInt8](repeating: 0, count: file.blockByteCount(layout))
                        let count = try bytes.withUnsafeMutableBytes { try file.readBlock(index, layout: layout, into: $0) }
                        bytes.removeLast(bytes.count - min(bytes.count, count))
                        return bytes
                    }
                    let rows = max(window.rows.lowerBound, top)..<min(window.rows.upperBound, top + size.height)
                    let columns = max(window.columns.lowerBound, left)..<min(window.columns.upperBound, left + size.width)
                    let available = block.count / max(1, size.width * samples * layout.sampleType.size)
                    guard rows.upperBound - top <= available else {
                        throw CubeError(.invalidInput, "'\(path)': block \(index) decodes to \(available) rows, fewer than the \(rows.upperBound - top) needed (truncated file)",
                                        context: ["file": path])
                    }
                    let placement = SampleConversion.Placement(
                        blockWidth: size.width, samplesPerPixel: samples, sample: layout.interleave == .pixel ? sample : 0,
                        rows: (rows.lowerBound - top)..<(rows.upperBound - top), columns: (columns.lowerBound - left)..<(columns.upperBound - left),
                        outputOffset: (rows.lowerBound - window.rows.lowerBound) * window.columns.count + columns.lowerBound - window.columns.lowerBound,
                        outputWidth: window.columns.count)
                    block.withUnsafeBytes { raw in
                        output.withUnsafeMutableBufferPointer { SampleConversion.copy(raw, type: layout.sampleType, placement, into: $0) }
                    }
                }
            }
            return output
        }
        if !described.packing.isIdentity {
            values.withUnsafeMutableBufferPointer { described.packing.decode($0) }
        }
        return values
    }
}

/// Counts block decodes; read from any thread.
final class DecodeCounter: Sendable {
    let count = Mutex(0)
}

/// Decoded blocks of one file, least recently used dropped past `limit` bytes. Used only on the
/// file's queue.
final class BlockCache: @unchecked Sendable {
    struct Key: Hashable {
        var directory: Int
        var index: Int
    }

    private let limit: Int
    private var blocks: [Key: [UInt8]] = [:]
    private var order: [Key] = []
    private var bytes = 0

    init(limit: Int) { self.limit = limit }

    /// The block for `key`, decoded by `make` when not cached; kept for later reads when `keep`.
    func block(_ key: Key, keep: Bool = true, make: () throws -> [UInt8]) throws -> [UInt8] {
        if let block = blocks[key] {
            if let position = order.lastIndex(of: key) { order.remove(at: position) }
            order.append(key)
            return block
        }
        let block = try make()
        guard keep, block.count <= limit else { return block }
        blocks[key] = block
        order.append(key)
        bytes += block.count
        while bytes > limit, !order.isEmpty {
            let oldest = order.removeFirst()
            bytes -= blocks.removeValue(forKey: oldest)?.count ?? 0
        }
        return block
    }
}
