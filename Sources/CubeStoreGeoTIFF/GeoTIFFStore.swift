public import CubeCore

/// Reads GeoTIFF and Cloud-Optimized GeoTIFF rasters through libtiff and libgeotiff
/// (`store: geotiff` in recipes).
///
/// - Layouts: tiled or striped; pixel- or band-interleaved; every compression this libtiff
///   decodes (none, deflate, LZW, ZSTD, PackBits, JPEG), predictors 2 and 3; samples of
///   8/16/32/64-bit integers and 32/64-bit floats.
/// - Variables: one per band, named `band_1`, `band_2`, … (a recipe's `bands:` gives them other
///   names); `GDAL_NODATA` is the missing value, `GDAL_METADATA`'s per-band scale and offset
///   unpack (`value · scale + offset`), band descriptions become `long_name`.
/// - Grid: from `ModelPixelScale` + `ModelTiepoint` or a north-up `ModelTransformation`, with
///   pixel-is-area/pixel-is-point honoured (cell centres either way); the CRS is the GeoKeys'
///   EPSG code, or for user-defined CRSs the PROJ string libgeotiff builds from the keys.
/// - Time: a GeoTIFF has none; the recipe gives each file its date (`time_from_name`, `times`).
/// - Reads decode only the tiles or strips a window touches, on the file's own serial queue
///   (libtiff handles are not thread-safe; different files are read in parallel).
///
/// - Overviews: listed in the descriptor (`overviews`) and read through `MultiResolutionReader`
///   when the pipeline down-samples by a large factor.
/// - Remote objects (`s3://`, `https://`) are read by byte range (`RangeReadingStore`) through a
///   page cache (64 KiB pages, at most 32 MiB per file): a COG costs a request or two for its
///   header and one per run of tiles a window needs.
/// Interop: GDAL writes every layout above (`gdal_translate -co TILED=YES -co COMPRESS=…`,
/// `-of COG`); its `GTIFF_POINT_GEO_IGNORE=FALSE` default matches the pixel-is-point handling.
public struct GeoTIFFStore: RangeReadingStore, GeoreferenceAssigningStore {
    /// The name used in recipes.
    public static let identifier = "geotiff"

    /// The registry entry.
    public static let descriptor = DataStoreDescriptor(
        identifier: identifier, summary: "GeoTIFF and Cloud-Optimized GeoTIFF rasters (libtiff, libgeotiff)", store: GeoTIFFStore())

    /// The libtiff version (`4.5.0`).
    public static var libraryVersion: String { TIFFFile.libraryVersion }

    /// The libgeotiff version (`1.7.1`).
    public static var geoTIFFVersion: String { TIFFFile.geoTIFFVersion }

    /// Decoded blocks each open file keeps (bytes).
    public var blockCacheBytes: Int

    /// The recipe's `crs`/`geotransform`, replacing each file's own georeferencing.
    public var assigned: AssignedGeoreference?

    /// Creates the store.
    /// - Parameters:
    ///   - blockCacheBytes: Decoded blocks kept per open file (default 32 MiB).
    ///   - assigned: Georeferencing that replaces the files' own (plain TIFFs need it).
    public init(blockCacheBytes: Int = 32 << 20, assigned: AssignedGeoreference? = nil) {
        self.blockCacheBytes = blockCacheBytes
        self.assigned = assigned
    }

    /// The same store, georeferencing every file with `georeference`.
    public func assigning(_ georeference: AssignedGeoreference) -> any DataStore {
        GeoTIFFStore(blockCacheBytes: blockCacheBytes, assigned: georeference)
    }

    /// Describes the file at `path`: grid, CRS, bands and layout (reads the directories only).
    public func describe(path: String) async throws -> DatasetDescriptor {
        try await structure(path: path).structure.descriptor
    }

    /// Opens the file at `path` for reading.
    public func open(path: String) async throws -> any DatasetReader { try await reader(path: path) }

    /// Opens the file at `path` as a `GeoTIFFDatasetReader` (with its block counter).
    /// - Throws: `CubeError` naming the file when it is missing, not a TIFF or not georeferenced.
    public func reader(path: String) async throws -> GeoTIFFDatasetReader {
        let (file, structure) = try await structure(path: path)
        return GeoTIFFDatasetReader(file: file, structure: structure, cacheBytes: blockCacheBytes)
    }

    /// Describes a GeoTIFF held in memory (the fuzz target's entry point).
    /// - Throws: `CubeError` naming `name` when the bytes are not a georeferenced TIFF CubeGen reads.
    public static func describe(bytes: [UInt8], name: String) throws -> GeoTIFFStructure {
        let file = try TIFFFile.open(name: name, source: TIFFByteSource(bytes: bytes))
        return try file.sync { try GeoTIFFStructure(directories: try file.directories(), path: name) }
    }

    /// Reads a whole band of a GeoTIFF held in memory (the fuzz target's second step).
    /// - Throws: `CubeError` naming `name` for damaged blocks.
    public static func readAll(bytes: [UInt8], name: String, limit: Int) async throws -> [Float] {
        let file = try TIFFFile.open(name: name, source: TIFFByteSource(bytes: bytes))
        let structure = try file.sync { try GeoTIFFStructure(directories: try file.directories(), path: name) }
        let image = structure.image
        let window = PixelWindow(rows: 0..<min(image.height, limit), columns: 0..<min(image.width, limit))
        return try await GeoTIFFDatasetReader(file: file, structure: structure, cacheBytes: 1 << 20)
            .read(GeoTIFFStructure.bandName(1), timeIndex: 0, window: window)
    }

    /// Describes the remote object at `location`, reading its header by byte range.
    public func describe(location: String, bytes: any ByteRangeReader) async throws -> DatasetDescriptor {
        try await structure(location: location, bytes: bytes).structure.descriptor
    }

    /// Opens the remote object at `location`; reads fetch only the byte ranges of the blocks they need.
    public func open(location: String, bytes: any ByteRangeReader) async throws -> any DatasetReader {
        try await reader(location: location, bytes: bytes)
    }

    /// Opens the remote object at `location` as a `GeoTIFFDatasetReader` (with its block counter and
    /// the byte source's request counters).
    /// - Throws: `CubeError` naming `location` when it is not a georeferenced TIFF or cannot be read.
    public func reader(location: String, bytes: any ByteRangeReader) async throws -> GeoTIFFDatasetReader {
        let (file, structure) = try await structure(location: location, bytes: bytes)
        return GeoTIFFDatasetReader(file: file, structure: structure, cacheBytes: blockCacheBytes)
    }

    private func structure(location: String, bytes: any ByteRangeReader) async throws -> (file: TIFFFile, structure: GeoTIFFStructure) {
        let source = TIFFByteSource(size: bytes.size) { range in try BlockingWait.result { try await bytes.read(range) } }
        let file = try await TIFFFile.openOnQueue(name: location, source: source)
        let assigned = self.assigned
        let structure = try await file.run { try GeoTIFFStructure(directories: try file.directories(), path: location, assigned: assigned) }
        return (file, structure)
    }

    private func structure(path: String) async throws -> (file: TIFFFile, structure: GeoTIFFStructure) {
        let file = try TIFFFile.open(path: path)
        let assigned = self.assigned
        let structure = try await file.run { try GeoTIFFStructure(directories: try file.directories(), path: path, assigned: assigned) }
        return (file, structure)
    }
}
