public import Foundation

/// Writes small uncompressed GeoTIFFs byte by byte (classic little-endian TIFF), without libtiff,
/// so store tests exercise the reader against a writer that shares no code with it. Values are
/// given per band, row-major; samples are float32 or int16.
public struct GeoTIFFFixture: Sendable {
    /// The sample type written.
    public enum Sample: Sendable { case float32, int16 }

    /// Image width.
    public var width: Int
    /// Image height.
    public var height: Int
    /// One array of `width × height` values per band.
    public var bands: [[Double]]
    /// The sample type.
    public var sample: Sample = .float32
    /// Tile size; `nil` writes strips of `rowsPerStrip` rows.
    public var tile: (width: Int, height: Int)?
    /// Rows per strip for striped images.
    public var rowsPerStrip = 4
    /// Band-interleaved (`PlanarConfiguration` 2) instead of pixel-interleaved.
    public var bandInterleaved = false
    /// Georeferencing: (origin x, origin y, pixel width, pixel height) of the upper-left corner, or `nil` for none.
    public var origin: (x: Double, y: Double, dx: Double, dy: Double)? = (500_000, 5_000_000, 100, 100)
    /// GeoKeys: model type (1 projected, 2 geographic), raster type (1 area, 2 point), EPSG code; `nil` writes none.
    public var keys: (model: UInt16, raster: UInt16, code: UInt16)? = (1, 1, 32632)
    /// `GDAL_NODATA`, if any.
    public var nodata: String?
    /// `GDAL_METADATA`, if any.
    public var metadata: String?

    /// Creates a fixture.
    public init(width: Int, height: Int, bands: [[Double]]) {
        self.width = width
        self.height = height
        self.bands = bands
    }

    /// The bytes of the file.
    public func bytes() -> [UInt8] {
        let spp = bands.count, size = sample == .float32 ? 4 : 2
        // Blocks: each a list of (row, column, band?) pixels, padded tiles included.
        let (bw, bh) = tile ?? (width, rowsPerStrip)
        let across = tile == nil ? 1 : (width + bw - 1) / bw, down = (height + bh - 1) / bh
        var blocks: [[UInt8]] = []
        for plane in 0..<(bandInterleaved ? spp : 1) {
            for by in 0..<down {
                for bx in 0..<across {
                    var block: [UInt8] = []
                    let rows = tile == nil ? min(bh, height - by * bh) : bh
                    for r in 0..<rows {
                        for c in 0..<bw {
                            let row = by * bh + r, column = bx * bw + c
                            for band in (bandInterleaved ? plane..<(plane + 1) : 0..<spp) {
                                let v = row < height && column < width ? bands[band][row * width + column] : 0
                                block += encode(v)
                            }
                        }
                    }
                    blocks.append(block)
                }
            }
        }
        var entries: [(tag: UInt16, type: UInt16, values: [UInt8], count: Int)] = []
        func shorts(_ tag: UInt16, _ v: [UInt16]) { entries.append((tag, 3, v.flatMap { le($0) }, v.count)) }
        func longs(_ tag: UInt16, _ v: [UInt32]) { entries.append((tag, 4, v.flatMap { le($0) }, v.count)) }
        func doubles(_ tag: UInt16, _ v: [Double]) { entries.append((tag, 12, v.flatMap { le($0.bitPattern) }, v.count)) }
        func ascii(_ tag: UInt16, _ s: String) { let b = Array(s.utf8) + [0]; entries.append((tag, 2, b, b.count)) }
        longs(256, [UInt32(width)])
        longs(257, [UInt32(height)])
        shorts(258, Array(repeating: UInt16(size * 8), count: spp))
        shorts(259, [1])
        shorts(262, [1])
        shorts(277, [UInt16(spp)])
        shorts(284, [bandInterleaved ? 2 : 1])
        shorts(339, Array(repeating: sample == .float32 ? 3 : 2, count: spp))
        if let tile {
            longs(322, [UInt32(tile.width)])
            longs(323, [UInt32(tile.height)])
        } else {
            longs(278, [UInt32(rowsPerStrip)])
        }
        if let origin {
            doubles(33550, [origin.dx, origin.dy, 0])
            doubles(33922, [0, 0, 0, origin.x, origin.y, 0])
        }
        if let keys {
            let codeKey: UInt16 = keys.model == 2 ? 2048 : 3072
            shorts(34735, [1, 1, 0, 3, 1024, 0, 1, keys.model, 1025, 0, 1, keys.raster, codeKey, 0, 1, keys.code])
        }
        if let metadata { ascii(42112, metadata) }
        if let nodata { ascii(42113, nodata) }
        // Offsets and byte counts are filled in once the layout is known.
        let offsetTag: UInt16 = tile == nil ? 273 : 324, countTag: UInt16 = tile == nil ? 279 : 325
        entries.append((offsetTag, 4, Array(repeating: 0, count: blocks.count * 4), blocks.count))
        entries.append((countTag, 4, blocks.flatMap { le(UInt32($0.count)) }, blocks.count))
        entries.sort { $0.tag < $1.tag }
        let ifdSize = 2 + entries.count * 12 + 4
        var extra = 8 + ifdSize   // where out-of-line values go
        var extraBytes: [UInt8] = []
        let blockStart = extra + entries.filter { $0.values.count > 4 }.reduce(0) { $0 + $1.values.count + $1.values.count % 2 }
        var offsets: [UInt32] = []
        var position = blockStart
        for block in blocks { offsets.append(UInt32(position)); position += block.count }
        var ifd: [UInt8] = le(UInt16(entries.count))
        for var entry in entries {
            if entry.tag == offsetTag { entry.values = offsets.flatMap { le($0) } }
            ifd += le(entry.tag) + le(entry.type) + le(UInt32(entry.count))
            if entry.values.count <= 4 {
                ifd += entry.values + Array(repeating: 0, count: 4 - entry.values.count)
            } else {
                ifd += le(UInt32(extra))
                extraBytes += entry.values
                extra += entry.values.count
                if entry.values.count % 2 == 1 { extraBytes.append(0); extra += 1 }
            }
        }
        ifd += le(UInt32(0))
        var file: [UInt8] = [0x49, 0x49, 42, 0] + le(UInt32(8)) + ifd + extraBytes
        file += Array(repeating: 0, count: max(0, blockStart - file.count))
        for block in blocks { file += block }
        return file
    }

    /// Writes the file to `path`.
    public func write(to path: String) throws { try Data(bytes()).write(to: URL(fileURLWithPath: path)) }

    private func encode(_ v: Double) -> [UInt8] {
        switch sample {
        case .float32: return le(Float(v).bitPattern)
        case .int16: return le(UInt16(bitPattern: Int16(v)))
        }
    }
}

private func le<T: FixedWidthInteger>(_ v: T) -> [UInt8] { withUnsafeBytes(of: v.littleEndian) { Array($0) } }
