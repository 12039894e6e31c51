public import CubeCore

/// How one TIFF image (a directory: the full-resolution image or an overview) stores its pixels:
/// size, blocks (tiles or strips), samples, compression. Plain values read from the tags.
public struct TIFFLayout: Hashable, Sendable {
    /// How pixels are grouped into blocks.
    public enum Blocks: Hashable, Sendable {
        /// Tiles of `width` × `height` pixels (`TileWidth`, `TileLength`), padded at the right and bottom edges.
        case tiles(width: Int, height: Int)
        /// Strips of `rows` full-width rows (`RowsPerStrip`); the last may be shorter.
        case strips(rows: Int)
    }

    /// How the samples of a pixel are stored (`PlanarConfiguration`).
    public enum Interleave: String, Hashable, Sendable {
        /// All samples of a pixel together (`PLANARCONFIG_CONTIG`, GDAL's `INTERLEAVE=PIXEL`).
        case pixel
        /// One plane per sample (`PLANARCONFIG_SEPARATE`, GDAL's `INTERLEAVE=BAND`).
        case band
    }

    /// The directory's index in the file (0 is the first image).
    public var directory: Int
    /// Image width in pixels (`ImageWidth`).
    public var width: Int
    /// Image height in pixels (`ImageLength`).
    public var height: Int
    /// The block structure.
    public var blocks: Blocks
    /// Samples per pixel (`SamplesPerPixel`): the bands.
    public var samplesPerPixel: Int
    /// The element type of every sample (`BitsPerSample`, `SampleFormat`).
    public var sampleType: DataType
    /// How samples are interleaved.
    public var interleave: Interleave
    /// The compression (`Compression`).
    public var compression: TIFFCompression
    /// The predictor (`Predictor`): 1 none, 2 horizontal differencing, 3 floating point.
    public var predictor: Int

    /// Creates a layout.
    public init(directory: Int, width: Int, height: Int, blocks: Blocks, samplesPerPixel: Int, sampleType: DataType,
                interleave: Interleave, compression: TIFFCompression, predictor: Int) {
        self.directory = directory
        self.width = width
        self.height = height
        self.blocks = blocks
        self.samplesPerPixel = samplesPerPixel
        self.sampleType = sampleType
        self.interleave = interleave
        self.compression = compression
        self.predictor = predictor
    }

    /// The width and height of one block (a strip is as wide as the image).
    public var blockSize: (width: Int, height: Int) {
        switch blocks {
        case let .tiles(width, height): return (width, height)
        case let .strips(rows): return (width, rows)
        }
    }

    /// The number of blocks across and down one sample plane.
    public var blockCounts: (across: Int, down: Int) {
        let size = blockSize
        return ((width + size.width - 1) / size.width, (height + size.height - 1) / size.height)
    }

    /// The number of blocks in the image (every plane).
    public var blockCount: Int {
        let counts = blockCounts
        return counts.across * counts.down * (interleave == .band ? samplesPerPixel : 1)
    }

    /// The index libtiff gives the block at block column `column` and block row `row` holding
    /// `sample` (0-based), as `TIFFComputeTile`/`TIFFComputeStrip` compute it: planes follow each
    /// other when bands are separate.
    public func blockIndex(column: Int, row: Int, sample: Int) -> Int {
        let counts = blockCounts
        let plane = interleave == .band ? sample * counts.across * counts.down : 0
        return plane + row * counts.across + column
    }

    /// The blocks a window of pixels touches, for `sample`, in row-major block order.
    public func blocks(covering window: PixelWindow, sample: Int) -> [Int] {
        guard !window.isEmpty else { return [] }
        let size = blockSize
        let rows = (window.rows.lowerBound / size.height)...((window.rows.upperBound - 1) / size.height)
        let columns = (window.columns.lowerBound / size.width)...((window.columns.upperBound - 1) / size.width)
        return rows.flatMap { row in columns.map { blockIndex(column: $0, row: row, sample: sample) } }
    }

    /// A short description: `tiled 256 × 256` or `striped, 16 rows per strip`.
    public var blocksDescription: String {
        switch blocks {
        case let .tiles(width, height): return "tiled \(width) × \(height)"
        case let .strips(rows): return "striped, \(rows) rows per strip"
        }
    }
}
