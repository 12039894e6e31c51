internal import CGeoTIFF
import CubeCore
import Zarr
import Dispatch
import Foundation

/// One open TIFF file: the only place libtiff and libgeotiff are called.
///
/// libtiff is safe to use from several threads on different files, not on one: every call on
/// this file runs on its own serial queue (`run`), so a blocking read never occupies a
/// Swift-concurrency thread, and different files are read in parallel.
final class TIFFFile: @unchecked Sendable {
    /// The path or URL, for messages.
    let path: String
    private let handle: UnsafeMutablePointer<cubegen_tiff>
    private let queue: DispatchQueue
    /// What the bytes come from when they are not a local file (kept alive as long as the file).
    private let client: TIFFByteSource?

    private init(path: String, handle: UnsafeMutablePointer<cubegen_tiff>, client: TIFFByteSource?) {
        self.path = path
        self.handle = handle
        self.client = client
        queue = DispatchQueue(label: "cubegen.tiff")
    }

    deinit { cubegen_tiff_close(handle) }

    /// Opens the local file at `path` (libtiff's `TIFFOpenExt`).
    /// - Throws: `CubeError` naming the file when it is missing or not a TIFF.
    static func open(path: String) throws -> TIFFFile {
        guard FileManager.default.fileExists(atPath: path) else {
            throw CubeError(.invalidInput, "input file '\(path)' does not exist", context: ["file": path])
        }
        guard let handle = cubegen_tiff_open(path) else { throw CubeError(.io, "'\(path)': out of memory opening it", context: ["file": path]) }
        return try checked(TIFFFile(path: path, handle: handle, client: nil))
    }

    /// Opens a TIFF whose bytes `source` gives (ranged reads of a remote object; `TIFFClientOpenExt`).
    /// - Throws: `CubeError` naming `name` when the bytes are not a TIFF.
    static func open(name: String, source: TIFFByteSource) throws -> TIFFFile {
        let context = Unmanaged.passUnretained(source).toOpaque()
        guard let handle = cubegen_tiff_client_open(name, context, TIFFByteSource.readProc, TIFFByteSource.seekProc,
                                                    TIFFByteSource.closeProc, TIFFByteSource.sizeProc) else {
            throw CubeError(.io, "'\(name)': out of memory opening it", context: ["file": name])
        }
        return try checked(TIFFFile(path: name, handle: handle, client: source))
    }

    /// Opens a TIFF whose bytes `source` fetches with blocking calls, off the Swift-concurrency
    /// threads (libtiff reads the header while opening).
    /// - Throws: `CubeError` naming `name` when the bytes are not a TIFF or cannot be fetched.
    static func openOnQueue(name: String, source: TIFFByteSource) async throws -> TIFFFile {
        // A queue of its own, not the global one: the open blocks on network reads, and the global
        // queue's pool (one thread per core, grown about once a second) stalled concurrent
        // opens of remote COGs for seconds; a serial queue may have a thread beyond that.
        try await withCheckedThrowingContinuation { continuation in
            DispatchQueue(label: "cubegen.tiff.open").async { continuation.resume(with: Result { try open(name: name, source: source) }) }
        }
    }

    /// Bytes fetched and requests made for a file read through a `TIFFByteSource` (nil for local files).
    var fetched: (bytes: Int, requests: Int)? { client.map { ($0.bytesFetched, $0.requests) } }

    private static func checked(_ file: TIFFFile) throws -> TIFFFile {
        guard file.handle.pointee.tif != nil else {
            let reason = file.message
            if let failure = file.client?.failure {
                throw CubeError(.storage, "cannot read '\(file.path)': \(failure)", context: ["file": file.path])
            }
            throw CubeError(.invalidInput, "'\(file.path)' is not a readable TIFF: \(reason.isEmpty ? "libtiff cannot open it" : reason)",
                            context: ["file": file.path])
        }
        return file
    }

    /// libtiff's last message for this file.
    private var message: String {
        withUnsafeBytes(of: &handle.pointee.message) { raw in
            String(decoding: raw.prefix { $0 != 0 }, as: UTF8.self)
        }
    }

    private var tif: OpaquePointer { handle.pointee.tif }

    /// Runs `body` on the file's queue, suspending the caller meanwhile.
    func run<T: Sendable>(_ body: @escaping @Sendable () throws -> T) async throws -> T {
        try await withCheckedThrowingContinuation { continuation in
            queue.async { continuation.resume(with: Result { try body() }) }
        }
    }

    /// Runs `body` on the file's queue, blocking the calling thread (for synchronous callers).
    func sync<T>(_ body: () throws -> T) rethrows -> T { try queue.sync { try body() } }

    // MARK: - Directories (call on the queue)

    /// Every directory's tags, in file order (the image first, then overviews and masks).
    /// - Throws: `CubeError` naming the file when a directory cannot be read.
    func directories() throws -> [TIFFDirectory] {
        var result: [TIFFDirectory] = []
        var index = 0
        while true {
            guard TIFFSetDirectory(tif, tdir_t(index)) == 1 else {
                if index == 0 { throw CubeError(.invalidInput, "'\(path)': cannot read its first directory: \(message)", context: ["file": path]) }
                break
            }
            result.append(directory(index))
            index += 1
            if index > 64 { break }   // more overviews than any real file has: stop, keep what was read
        }
        guard TIFFSetDirectory(tif, 0) == 1 else {
            throw CubeError(.invalidInput, "'\(path)': cannot return to its first directory: \(message)", context: ["file": path])
        }
        return result
    }

    private func directory(_ index: Int) -> TIFFDirectory {
        func u16(_ tag: Int32, _ fallback: UInt16) -> Int {
            var value: UInt16 = fallback
            return cubegen_tiff_u16(tif, UInt32(tag), &value) == 1 ? Int(value) : Int(fallback)
        }
        func u32(_ tag: Int32, _ fallback: UInt32) -> Int {
            var value: UInt32 = fallback
            return cubegen_tiff_u32(tif, UInt32(tag), &value) == 1 ? Int(value) : Int(fallback)
        }
        let tiled = TIFFIsTiled(tif) != 0
        let compression = u16(TIFFTAG_COMPRESSION, 1)
        var directory = TIFFDirectory(
            index: index, width: u32(TIFFTAG_IMAGEWIDTH, 0), height: u32(TIFFTAG_IMAGELENGTH, 0),
            tileSize: tiled ? (u32(TIFFTAG_TILEWIDTH, 0), u32(TIFFTAG_TILELENGTH, 0)) : nil,
            rowsPerStrip: u32(TIFFTAG_ROWSPERSTRIP, UInt32.max), samplesPerPixel: u16(TIFFTAG_SAMPLESPERPIXEL, 1),
            bitsPerSample: u16(TIFFTAG_BITSPERSAMPLE, 1), sampleFormat: u16(TIFFTAG_SAMPLEFORMAT, 1),
            planarConfiguration: u16(TIFFTAG_PLANARCONFIG, 1), compression: TIFFCompression(code: compression),
            compressionAvailable: TIFFIsCODECConfigured(UInt16(truncatingIfNeeded: compression)) != 0,
            predictor: u16(TIFFTAG_PREDICTOR, 1), photometric: u16(TIFFTAG_PHOTOMETRIC, 1),
            subfileType: u32(TIFFTAG_SUBFILETYPE, 0), orientation: u16(TIFFTAG_ORIENTATION, 1))
        directory.pixelScale = doubles(33550)
        directory.tiepoints = doubles(33922)
        directory.transformation = doubles(34264)
        directory.nodata = text(42113)
        directory.metadata = text(42112)
        if index == 0 {
            var keys = cubegen_geokeys()
            cubegen_geotiff_keys(tif, &keys)
            if keys.present != 0 {
                let proj4 = withUnsafeBytes(of: &keys.proj4) { String(decoding: $0.prefix { $0 != 0 }, as: UTF8.self) }
                directory.geoKeys = GeoKeys(modelType: GeoKeys.ModelType(rawValue: Int(keys.model_type)),
                                            rasterType: GeoKeys.RasterType(rawValue: Int(keys.raster_type)) ?? .pixelIsArea,
                                            projectedCode: GeoKeys.code(Int(keys.pcs)), geographicCode: GeoKeys.code(Int(keys.gcs)),
                                            proj4: keys.defined != 0 && !proj4.isEmpty ? proj4 : nil)
            }
        }
        return directory
    }

    private func doubles(_ tag: UInt32) -> [Double] {
        var pointer: UnsafeRawPointer?
        let count = cubegen_tiff_array(tif, tag, &pointer)
        guard count > 0, let pointer, TIFFFieldDataType(TIFFFieldWithTag(tif, tag)) == TIFF_DOUBLE else { return [] }
        return Array(UnsafeBufferPointer(start: pointer.assumingMemoryBound(to: Double.self), count: count))
    }

    private func text(_ tag: UInt32) -> String? {
        var pointer: UnsafeRawPointer?
        let count = cubegen_tiff_array(tif, tag, &pointer)
        guard count > 0, let pointer, TIFFFieldDataType(TIFFFieldWithTag(tif, tag)) == TIFF_ASCII else { return nil }
        let bytes = UnsafeBufferPointer(start: pointer.assumingMemoryBound(to: UInt8.self), count: count)
        return String(decoding: bytes.prefix { $0 != 0 }, as: UTF8.self)
    }

    // MARK: - Pixels (call on the queue)

    /// Decodes block `index` (a tile or strip) of directory `layout.directory` into `buffer`,
    /// which holds at least one full block. Wraps `TIFFReadEncodedTile`/`TIFFReadEncodedStrip`
    /// (decompression, predictor and byte order are libtiff's).
    /// - Returns: The bytes decoded (a last strip is shorter).
    /// - Throws: `CubeError` naming the file for truncated or damaged blocks.
    func readBlock(_ index: Int, layout: TIFFLayout, into buffer: UnsafeMutableRawBufferPointer) throws -> Int {
        if Int(TIFFCurrentDirectory(tif)) != layout.directory {
            guard TIFFSetDirectory(tif, tdir_t(layout.directory)) == 1 else {
                throw CubeError(.invalidInput, "'\(path)': cannot read directory \(layout.directory): \(message)", context: ["file": path])
            }
        }
        if layout.compression == .jpeg, TIFFGetPhotometricYCbCr(tif) { _ = cubegen_tiff_jpeg_rgb(tif) }
        handle.pointee.message.0 = 0
        let read: tmsize_t
        switch layout.blocks {
        case .tiles: read = TIFFReadEncodedTile(tif, UInt32(index), buffer.baseAddress, tmsize_t(buffer.count))
        case .strips: read = TIFFReadEncodedStrip(tif, UInt32(index), buffer.baseAddress, tmsize_t(buffer.count))
        }
        let kind = layout.blocks == .strips(rows: layout.blockSize.height) ? "strip" : "tile"
        if read > 0, layout.compression == .deflate || layout.compression.code == 32946 {
            try verifyDeflate(index, kind: kind, decodedCount: Int(read))
        }
        guard read > 0 else {
            if let failure = client?.failure {
                throw CubeError(.storage, "cannot read \(kind) \(index) of '\(path)': \(failure)", context: ["file": path])
            }
            throw CubeError(.invalidInput, "'\(path)': \(kind) \(index) cannot be decoded (truncated or damaged file): \(message.isEmpty ? "no data" : message)",
                            context: ["file": path])
        }
        return Int(read)
    }

    /// Checks a deflate block's zlib stream whole: libtiff stops inflating once the block is full,
    /// so a damaged stream that still fills it would pass without its Adler-32 being compared.
    /// The raw block is inflated again through libdeflate (`ZlibCodec.inflate`), which verifies
    /// the stream's structure, its exact size and its Adler-32.
    private func verifyDeflate(_ index: Int, kind: String, decodedCount: Int) throws {
        let size = Int(TIFFGetStrileByteCount(tif, UInt32(index)))
        guard size > 0 else { return }
        var raw = [UInt8](repeating: 0, count: size)
        let got = raw.withUnsafeMutableBytes { buffer -> tmsize_t in
            switch kind {
            case "strip": return TIFFReadRawStrip(tif, UInt32(index), buffer.baseAddress, tmsize_t(size))
            default: return TIFFReadRawTile(tif, UInt32(index), buffer.baseAddress, tmsize_t(size))
            }
        }
        guard got == size else {
            throw CubeError(.invalidInput, "'\(path)': \(kind) \(index) is truncated (\(max(0, got)) of \(size) bytes)", context: ["file": path])
        }
        do {
            _ = try ZlibCodec.inflate(raw, decodedCount: decodedCount)
        } catch {
            throw CubeError(.invalidInput, "'\(path)': \(kind) \(index) is damaged (its deflate stream fails its check: \(error))",
                            context: ["file": path])
        }
    }

    /// The size of one decoded block of the current image in bytes (`TIFFTileSize`/`TIFFStripSize`).
    func blockByteCount(_ layout: TIFFLayout) -> Int {
        let size = layout.blockSize
        let samples = layout.interleave == .pixel ? layout.samplesPerPixel : 1
        return size.width * size.height * samples * layout.sampleType.size
    }

    private func TIFFGetPhotometricYCbCr(_ tif: OpaquePointer) -> Bool {
        var value: UInt16 = 0
        return cubegen_tiff_u16(tif, UInt32(TIFFTAG_PHOTOMETRIC), &value) == 1 && Int32(value) == PHOTOMETRIC_YCBCR
    }

    /// The libtiff version (`4.5.0`), from `TIFFGetVersion`'s first line ("LIBTIFF, Version 4.5.0").
    static var libraryVersion: String {
        let line = String(cString: TIFFGetVersion()).split(separator: "\n").first.map(String.init) ?? ""
        return line.split(separator: " ").last.map(String.init) ?? "unknown"
    }

    /// The libgeotiff version (`1.7.1`), from `LIBGEOTIFF_VERSION`.
    static var geoTIFFVersion: String {
        let v = Int(cubegen_geotiff_version())
        return "\(v / 1000).\(v / 100 % 10).\(v / 10 % 10)"
    }
}
