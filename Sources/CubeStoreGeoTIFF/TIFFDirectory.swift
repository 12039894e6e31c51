public import CubeCore

/// The tags of one TIFF directory (image file directory, IFD) that CubeGen reads, as stored:
/// the raw facts `TIFFLayout` and `GeoTIFFStructure` are derived from.
public struct TIFFDirectory: Hashable, Sendable {
    /// The directory's index in the file (0: the first image).
    public var index: Int
    /// `ImageWidth`.
    public var width: Int
    /// `ImageLength`.
    public var height: Int
    /// `TileWidth` and `TileLength`, `nil` for a striped image.
    public var tileSize: (width: Int, height: Int)?
    /// `RowsPerStrip` (libtiff's default: the whole image).
    public var rowsPerStrip: Int
    /// `SamplesPerPixel`.
    public var samplesPerPixel: Int
    /// `BitsPerSample`.
    public var bitsPerSample: Int
    /// `SampleFormat`: 1 unsigned integer, 2 signed integer, 3 IEEE floating point.
    public var sampleFormat: Int
    /// `PlanarConfiguration`: 1 contiguous (pixel-interleaved), 2 separate (band-interleaved).
    public var planarConfiguration: Int
    /// `Compression`.
    public var compression: TIFFCompression
    /// Whether this libtiff can decode `compression` (`TIFFIsCODECConfigured`).
    public var compressionAvailable: Bool
    /// `Predictor`.
    public var predictor: Int
    /// `Photometric`.
    public var photometric: Int
    /// `NewSubfileType` (bit 0: a reduced-resolution image, an overview; bit 2: a mask).
    public var subfileType: Int
    /// `Orientation` (1: rows top to bottom, columns left to right).
    public var orientation: Int
    /// `ModelPixelScaleTag`, empty when absent.
    public var pixelScale: [Double] = []
    /// `ModelTiepointTag`, empty when absent.
    public var tiepoints: [Double] = []
    /// `ModelTransformationTag`, empty when absent.
    public var transformation: [Double] = []
    /// The GeoKeys, `nil` when the directory has none.
    public var geoKeys: GeoKeys?
    /// `GDAL_NODATA` text, if present.
    public var nodata: String?
    /// `GDAL_METADATA` XML, if present.
    public var metadata: String?

    /// Creates a directory description.
    public init(index: Int, width: Int, height: Int, tileSize: (width: Int, height: Int)?, rowsPerStrip: Int, samplesPerPixel: Int,
                bitsPerSample: Int, sampleFormat: Int, planarConfiguration: Int, compression: TIFFCompression,
                compressionAvailable: Bool = true, predictor: Int = 1, photometric: Int = 1, subfileType: Int = 0, orientation: Int = 1) {
        self.index = index
        self.width = width
        self.height = height
        self.tileSize = tileSize
        self.rowsPerStrip = rowsPerStrip
        self.samplesPerPixel = samplesPerPixel
        self.bitsPerSample = bitsPerSample
        self.sampleFormat = sampleFormat
        self.planarConfiguration = planarConfiguration
        self.compression = compression
        self.compressionAvailable = compressionAvailable
        self.predictor = predictor
        self.photometric = photometric
        self.subfileType = subfileType
        self.orientation = orientation
    }

    /// Compares every tag.
    public static func == (a: TIFFDirectory, b: TIFFDirectory) -> Bool {
        a.index == b.index && a.width == b.width && a.height == b.height && a.tileSize?.width == b.tileSize?.width
            && a.tileSize?.height == b.tileSize?.height && a.rowsPerStrip == b.rowsPerStrip && a.samplesPerPixel == b.samplesPerPixel
            && a.bitsPerSample == b.bitsPerSample && a.sampleFormat == b.sampleFormat && a.planarConfiguration == b.planarConfiguration
            && a.compression == b.compression && a.predictor == b.predictor && a.subfileType == b.subfileType
            && a.pixelScale == b.pixelScale && a.tiepoints == b.tiepoints && a.transformation == b.transformation
            && a.geoKeys == b.geoKeys && a.nodata == b.nodata && a.metadata == b.metadata
    }

    /// Hashes the index and size.
    public func hash(into hasher: inout Hasher) {
        hasher.combine(index)
        hasher.combine(width)
        hasher.combine(height)
    }

    /// Whether this directory is an overview (a reduced-resolution image, not a mask).
    public var isOverview: Bool { subfileType & 1 != 0 && subfileType & 4 == 0 }
    /// Whether this directory is a mask.
    public var isMask: Bool { subfileType & 4 != 0 }

    /// The element type of the samples.
    /// - Throws: `CubeError` (`.unsupported`) naming the file for bit depths other than 8, 16, 32, 64
    ///   or formats other than integer and IEEE float (16-bit floats, complex numbers).
    public func sampleType(path: String) throws -> DataType {
        switch (sampleFormat, bitsPerSample) {
        case (1, 8): return .uint8
        case (1, 16): return .uint16
        case (1, 32): return .uint32
        case (1, 64): return .uint64
        case (2, 8): return .int8
        case (2, 16): return .int16
        case (2, 32): return .int32
        case (2, 64): return .int64
        case (3, 32): return .float32
        case (3, 64): return .float64
        default:
            let kind = [1: "unsigned integer", 2: "signed integer", 3: "floating-point", 5: "complex integer", 6: "complex floating-point"][sampleFormat]
                ?? "sample format \(sampleFormat)"
            throw CubeError(.unsupported,
                "'\(path)': \(bitsPerSample)-bit \(kind) samples are not supported (supported: 8/16/32/64-bit integers, 32/64-bit floats)",
                context: ["file": path])
        }
    }

    /// The pixel layout.
    /// - Throws: `CubeError` naming the file for unsupported sample types, compressions this
    ///   libtiff cannot decode, orientations other than top-left, or inconsistent sizes.
    public func layout(path: String) throws -> TIFFLayout {
        guard width > 0, height > 0, samplesPerPixel > 0 else {
            throw CubeError(.invalidInput, "'\(path)': directory \(index) has an empty image (\(width) × \(height), \(samplesPerPixel) samples)",
                            context: ["file": path])
        }
        let type = try sampleType(path: path)
        guard compressionAvailable else {
            throw CubeError(.unsupported, "'\(path)': \(compression) compression is not supported by this libtiff build (supported: none, deflate, LZW, ZSTD, PackBits, JPEG)",
                            context: ["file": path])
        }
        guard orientation == 1 else {
            throw CubeError(.unsupported, "'\(path)': TIFF orientation \(orientation) is not supported (only 1, top-left); rewrite it with gdal_translate",
                            context: ["file": path])
        }
        let blocks: TIFFLayout.Blocks
        if let tileSize {
            guard tileSize.width > 0, tileSize.height > 0 else {
                throw CubeError(.invalidInput, "'\(path)': tile size \(tileSize.width) × \(tileSize.height) is empty", context: ["file": path])
            }
            blocks = .tiles(width: tileSize.width, height: tileSize.height)
        } else {
            blocks = .strips(rows: max(1, min(rowsPerStrip, height)))
        }
        let layout = TIFFLayout(directory: index, width: width, height: height, blocks: blocks, samplesPerPixel: samplesPerPixel,
                                sampleType: type, interleave: planarConfiguration == 2 ? .band : .pixel, compression: compression,
                                predictor: predictor)
        let size = layout.blockSize
        let blockBytes = size.width.multipliedReportingOverflow(by: size.height).partialValue
            .multipliedReportingOverflow(by: (layout.interleave == .pixel ? samplesPerPixel : 1) * type.size)
        guard !blockBytes.overflow, blockBytes.partialValue <= Self.maximumBlockBytes, size.width <= 1 << 20, size.height <= 1 << 20 else {
            throw CubeError(.unsupported,
                "'\(path)': its \(layout.blocksDescription) blocks exceed \(Self.maximumBlockBytes >> 20) MiB each; retile it (gdal_translate -co TILED=YES)",
                context: ["file": path])
        }
        return layout
    }

    /// The largest decoded block (tile or strip) read, in bytes: a strip holding a whole large
    /// image, or a hostile tile size, is refused rather than allocated.
    public static let maximumBlockBytes = 512 << 20
}
