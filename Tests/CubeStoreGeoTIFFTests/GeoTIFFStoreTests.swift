import CubeCore
import CubeFixtures
import CubeStoreGeoTIFF
import Foundation
import Testing

/// The store on files written by `GeoTIFFFixture` (a writer sharing no code with the reader):
/// grids, bands, decoding, window reads that touch only their blocks, and errors on bad input.
@Suite struct GeoTIFFStoreTests {
    let store = GeoTIFFStore()

    /// Band `b` of a `w × h` image: 1000·b + 10·row + column.
    static func ramp(_ w: Int, _ h: Int, bands: Int) -> [[Double]] {
        (0..<bands).map { b in (0..<(w * h)).map { Double(1000 * b + 10 * ($0 / w) + $0 % w) } }
    }

    @Test(arguments: [(nil, false), ((16, 16), false), ((16, 32), true), (nil, true)] as [((Int, Int)?, Bool)])
    func readsAnyWindowOfAnyLayout(tile: (Int, Int)?, bandInterleaved: Bool) async throws {
        let dir = try TemporaryDirectory("tif")
        defer { dir.remove() }
        var fixture = GeoTIFFFixture(width: 45, height: 37, bands: Self.ramp(45, 37, bands: 3))
        fixture.tile = tile
        fixture.bandInterleaved = bandInterleaved
        fixture.rowsPerStrip = 5
        let path = dir.path("a.tif")
        try fixture.write(to: path)
        let d = try await store.describe(path: path)
        #expect(d.variables.map(\.name) == ["band_1", "band_2", "band_3"])
        #expect(d.grid.crs.text == "EPSG:32632" && !d.grid.isGeographic)
        #expect(d.grid.x.values.first == 500_050 && d.grid.y.values.first == 4_999_950)
        #expect(d.grid.x.regular?.step == 100 && d.grid.y.regular?.step == -100)
        #expect(d.timeDimension == nil)
        let reader = try await store.open(path: path)
        for window in [PixelWindow(rows: 0..<37, columns: 0..<45), PixelWindow(rows: 13..<30, columns: 7..<41), PixelWindow(rows: 36..<37, columns: 44..<45)] {
            for band in 0..<3 {
                let values = try await reader.read("band_\(band + 1)", timeIndex: 0, window: window)
                let expected = window.rows.flatMap { r in window.columns.map { c in Float(1000 * band + 10 * r + c) } }
                #expect(values == expected, "band \(band + 1), \(window)")
            }
        }
    }

    @Test func aSmallWindowOfATiledFileDecodesOnlyItsTiles() async throws {
        let dir = try TemporaryDirectory("tif")
        defer { dir.remove() }
        var fixture = GeoTIFFFixture(width: 256, height: 256, bands: Self.ramp(256, 256, bands: 1))
        fixture.tile = (32, 32)
        let path = dir.path("cog.tif")
        try fixture.write(to: path)
        let reader = try await store.reader(path: path)
        // Rows 40..<70 and columns 100..<130 lie in tile rows 1–2 and tile columns 3–4: 4 of 64 tiles.
        _ = try await reader.read("band_1", timeIndex: 0, window: PixelWindow(rows: 40..<70, columns: 100..<130))
        #expect(reader.blocksDecoded == 4)
        // The same tiles again come from the block cache.
        _ = try await reader.read("band_1", timeIndex: 0, window: PixelWindow(rows: 45..<50, columns: 101..<102))
        #expect(reader.blocksDecoded == 4)
        // Tiles a window covers whole are not kept (the pipeline's plane cache holds such reads):
        // rows and columns 128..<192 are tiles 4–5 × 4–5, decoded again on a second read.
        let whole = PixelWindow(rows: 128..<192, columns: 128..<192)
        let first = try await reader.read("band_1", timeIndex: 0, window: whole)
        #expect(reader.blocksDecoded == 8)
        #expect(try await reader.read("band_1", timeIndex: 0, window: whole) == first)
        #expect(reader.blocksDecoded == 12)
    }

    @Test func nodataScaleOffsetAndDescriptionsDecode() async throws {
        let dir = try TemporaryDirectory("tif")
        defer { dir.remove() }
        var fixture = GeoTIFFFixture(width: 4, height: 2, bands: [[1, 2, -9999, 4, 5, 6, 7, -9999]])
        fixture.sample = .int16
        fixture.nodata = "-9999"
        fixture.metadata = #"<GDALMetadata><Item name="SCALE" sample="0" role="scale">0.5</Item><Item name="OFFSET" sample="0" role="offset">10</Item><Item name="DESCRIPTION" sample="0" role="description">ndvi</Item></GDALMetadata>"#
        let path = dir.path("n.tif")
        try fixture.write(to: path)
        let d = try await store.describe(path: path)
        let band = try #require(d.variable("band_1"))
        #expect(band.dataType == .int16 && band.packing.missingValues == [-9999])
        #expect(band.packing.scaleFactor == 0.5 && band.packing.addOffset == 10)
        #expect(band.attributes[named: "long_name"]?.text == "ndvi")
        let values = try await store.open(path: path).read("band_1", timeIndex: 0, window: PixelWindow(rows: 0..<2, columns: 0..<4))
        #expect(values.map { $0.isNaN ? -1 : $0 } == [10.5, 11, -1, 12, 12.5, 13, 13.5, -1])
    }

    @Test func pixelIsPointAndGeographicKeysShapeTheGrid() async throws {
        let dir = try TemporaryDirectory("tif")
        defer { dir.remove() }
        var fixture = GeoTIFFFixture(width: 3, height: 2, bands: Self.ramp(3, 2, bands: 1))
        fixture.origin = (10, 50, 0.5, 0.25)
        fixture.keys = (2, 2, 4326)
        let path = dir.path("g.tif")
        try fixture.write(to: path)
        let d = try await store.describe(path: path)
        #expect(d.grid.isGeographic && d.grid.crs.text == "EPSG:4326")
        #expect(d.spatialDimensions == ("lon", "lat") as (String, String))
        #expect(d.grid.x.values == [10, 10.5, 11] && d.grid.y.values == [50, 49.75])
        #expect(d.attributes[named: "tiff_raster_type"]?.text == "pixel is point")
    }

    @Test func badInputsAreOneLineErrorsNamingTheFile() async throws {
        let dir = try TemporaryDirectory("tif")
        defer { dir.remove() }
        let notTIFF = try dir.write("text.tif", "this is not a TIFF\n")
        var plain = GeoTIFFFixture(width: 4, height: 4, bands: Self.ramp(4, 4, bands: 1))
        plain.keys = nil
        plain.origin = nil
        try plain.write(to: dir.path("plain.tif"))
        var truncated = GeoTIFFFixture(width: 64, height: 64, bands: Self.ramp(64, 64, bands: 1))
        truncated.tile = (16, 16)
        let bytes = truncated.bytes()
        try Data(bytes.prefix(bytes.count - 3000)).write(to: URL(fileURLWithPath: dir.path("cut.tif")))
        for (path, fragment) in [(notTIFF, "is not a readable TIFF"), (dir.path("plain.tif"), "has no georeferencing"),
                                 (dir.path("missing.tif"), "does not exist")] {
            await #expect { try await store.describe(path: path) } throws: {
                guard let error = $0 as? CubeError else { return false }
                return error.message.contains(path) && error.message.contains(fragment) && !error.message.contains("\n")
            }
        }
        let reader = try await store.open(path: dir.path("cut.tif"))
        await #expect { try await reader.read("band_1", timeIndex: 0, window: PixelWindow(rows: 48..<64, columns: 0..<64)) } throws: {
            guard let error = $0 as? CubeError else { return false }
            return error.message.contains("cut.tif") && error.code == .invalidInput && !error.message.contains("\n")
        }
        await #expect { try await reader.read("band_2", timeIndex: 0, window: PixelWindow(rows: 0..<1, columns: 0..<1)) } throws: {
            ($0 as? CubeError)?.message.contains("has no band 'band_2'") == true
        }
    }
}
