import CubeCore
import CubeStoreGeoTIFF
import Testing

/// Tag and GeoKey interpretation from values alone: georeferencing, CRS choice, GDAL metadata,
/// sample types, layouts and their errors.
@Suite struct GeoTIFFTagTests {
    @Test func pixelIsAreaPutsCentresHalfAPixelInside() throws {
        let r = try #require(try GeoReference.make(scale: [100, 50, 0], tiepoints: [0, 0, 0, 500_000, 5_000_000, 0], transformation: [],
                                                   rasterType: .pixelIsArea, path: "a.tif"))
        #expect(r.xCentres(2) == [500_050, 500_150])
        #expect(r.yCentres(2) == [4_999_975, 4_999_925])
    }

    @Test func pixelIsPointPutsTheTiePointOnTheFirstCentre() throws {
        let r = try #require(try GeoReference.make(scale: [100, 50, 0], tiepoints: [0, 0, 0, 500_000, 5_000_000, 0], transformation: [],
                                                   rasterType: .pixelIsPoint, path: "a.tif"))
        #expect(r.xCentres(2) == [500_000, 500_100])
        #expect(r.yCentres(1) == [5_000_000])
    }

    @Test func tiePointAwayFromTheOriginIsHonoured() throws {
        let r = try #require(try GeoReference.make(scale: [10, 10, 0], tiepoints: [2, 3, 0, 1000, 2000, 0], transformation: [],
                                                   rasterType: .pixelIsArea, path: "a.tif"))
        #expect(r.xOrigin == 1000 - 2 * 10 + 5)
        #expect(r.yOrigin == 2000 + 3 * 10 - 5)
    }

    @Test func transformationMatrixGivesTheGrid() throws {
        let m: [Double] = [30, 0, 0, 100, 0, -30, 0, 900, 0, 0, 0, 0, 0, 0, 0, 1]
        let r = try #require(try GeoReference.make(scale: [], tiepoints: [], transformation: m, rasterType: .pixelIsArea, path: "a.tif"))
        #expect(r == GeoReference(xOrigin: 115, xStep: 30, yOrigin: 885, yStep: -30))
    }

    @Test func rotatedAndGCPImagesAreRefusedNamingTheFile() throws {
        let rotated: [Double] = [30, 1, 0, 100, 1, -30, 0, 900, 0, 0, 0, 0, 0, 0, 0, 1]
        #expect { try GeoReference.make(scale: [], tiepoints: [], transformation: rotated, rasterType: .pixelIsArea, path: "rot.tif") }
            throws: { ($0 as? CubeError)?.message.contains("'rot.tif' is rotated") == true }
        #expect { try GeoReference.make(scale: [], tiepoints: Array(repeating: 1, count: 18), transformation: [], rasterType: .pixelIsArea, path: "gcp.tif") }
            throws: { ($0 as? CubeError)?.message.contains("ground control points") == true }
        #expect(try GeoReference.make(scale: [], tiepoints: [], transformation: [], rasterType: .pixelIsArea, path: "x.tif") == nil)
    }

    @Test func geoKeysPreferEPSGCodesAndFallBackToPROJStrings() throws {
        #expect(try GeoKeys(modelType: .projected, projectedCode: 32633).crs(path: "a").crs.text == "EPSG:32633")
        let geographic = try GeoKeys(modelType: .geographic, geographicCode: 4326).crs(path: "a")
        #expect(geographic.crs.text == "EPSG:4326" && geographic.isGeographic)
        let user = try GeoKeys(modelType: .projected, proj4: "+proj=laea +lat_0=52 +lon_0=10 +ellps=GRS80 +units=m ").crs(path: "a")
        #expect(user.crs.text == "+proj=laea +lat_0=52 +lon_0=10 +ellps=GRS80 +units=m +type=crs")
        #expect(GeoKeys.code(GeoKeys.userDefined) == nil && GeoKeys.code(0) == nil && GeoKeys.code(3035) == 3035)
        #expect { try GeoKeys(modelType: .geocentric).crs(path: "geo.tif") } throws: { ($0 as? CubeError)?.code == .unsupported }
        #expect { try GeoKeys(modelType: .projected).crs(path: "none.tif") }
            throws: { ($0 as? CubeError)?.message.hasPrefix("'none.tif'") == true }
    }

    @Test func gdalMetadataGivesPerBandScaleOffsetAndDescription() {
        let xml = """
            <GDALMetadata>
              <Item name="OFFSET" sample="0" role="offset">5</Item>
              <Item name="SCALE" sample="0" role="scale">0.01</Item>
              <Item name="DESCRIPTION" sample="1" role="description">near &amp; infrared</Item>
              <Item name="AREA_OR_POINT">Area</Item>
            </GDALMetadata>
            """
        let m = GDALMetadata(xml: xml)
        #expect(m.scale(sample: 0) == 0.01 && m.offset(sample: 0) == 5)
        #expect(m.scale(sample: 1) == 1 && m.offset(sample: 1) == 0)
        #expect(m.value(role: "description", sample: 1) == "near & infrared")
        #expect(GDALMetadata.nodata("-9999") == -9999)
        #expect(GDALMetadata.nodata("nan")?.isNaN == true)
        #expect(GDALMetadata.nodata("none") == nil)
    }

    @Test(arguments: [(1, 8, DataType.uint8), (2, 8, .int8), (1, 16, .uint16), (2, 16, .int16), (1, 32, .uint32), (2, 32, .int32),
                      (1, 64, .uint64), (2, 64, .int64), (3, 32, .float32), (3, 64, .float64)])
    func everySampleTypeMaps(format: Int, bits: Int, type: DataType) throws {
        #expect(try directory(bits: bits, format: format).sampleType(path: "a.tif") == type)
    }

    @Test func unsupportedSamplesCompressionAndOrientationAreOneLineErrorsNamingTheFile() {
        #expect { try directory(bits: 16, format: 3).layout(path: "half.tif") }
            throws: { ($0 as? CubeError).map { $0.code == .unsupported && $0.message.hasPrefix("'half.tif': 16-bit floating-point") } == true }
        #expect { try directory(bits: 12, format: 1).layout(path: "odd.tif") } throws: { ($0 as? CubeError)?.code == .unsupported }
        var exotic = directory(bits: 8, format: 1)
        exotic.compression = TIFFCompression(code: 65000)
        exotic.compressionAvailable = false
        #expect { try exotic.layout(path: "x.tif") }
            throws: { ($0 as? CubeError).map { $0.message.hasPrefix("'x.tif': compression 65000 compression is not supported") && !$0.message.contains("\n") } == true }
        var huge = directory(bits: 32, format: 3)
        huge.width = 200_000
        huge.height = 200_000
        huge.rowsPerStrip = 200_000
        #expect { try huge.layout(path: "big.tif") } throws: { ($0 as? CubeError)?.message.contains("retile it") == true }
        var flipped = directory(bits: 8, format: 1)
        flipped.orientation = 4
        #expect { try flipped.layout(path: "f.tif") } throws: { ($0 as? CubeError)?.message.contains("orientation 4") == true }
    }

    @Test func blockIndicesFollowLibtiffForTilesStripsAndSeparatePlanes() throws {
        var d = directory(bits: 16, format: 2)
        d.width = 100
        d.height = 70
        d.tileSize = (32, 32)
        d.samplesPerPixel = 3
        d.planarConfiguration = 2
        let tiled = try d.layout(path: "a.tif")
        #expect(tiled.blockCounts == (4, 3) as (Int, Int))
        #expect(tiled.blockIndex(column: 1, row: 2, sample: 2) == 2 * 12 + 2 * 4 + 1)
        #expect(tiled.blocks(covering: PixelWindow(rows: 30..<40, columns: 60..<70), sample: 0) == [1, 2, 5, 6])
        d.tileSize = nil
        d.rowsPerStrip = 16
        d.planarConfiguration = 1
        let striped = try d.layout(path: "a.tif")
        #expect(striped.blockSize == (100, 16) as (Int, Int))
        #expect(striped.blocks(covering: PixelWindow(rows: 15..<33, columns: 0..<1), sample: 2) == [0, 1, 2])
    }

    @Test func sampleConversionPicksOneBandOfPixelInterleavedBlocks() {
        // A 3 × 2 block of 2 samples (int16): value = 10·row + column, sample 1 negated.
        var block: [Int16] = []
        for row in 0..<2 { for column in 0..<3 { block += [Int16(10 * row + column), Int16(-(10 * row + column))] } }
        var out = [Float](repeating: .nan, count: 4)
        let placement = SampleConversion.Placement(blockWidth: 3, samplesPerPixel: 2, sample: 1, rows: 0..<2, columns: 1..<3,
                                                   outputOffset: 0, outputWidth: 2)
        block.withUnsafeBytes { raw in out.withUnsafeMutableBufferPointer { SampleConversion.copy(raw, type: .int16, placement, into: $0) } }
        #expect(out == [-1, -2, -11, -12])
    }

    private func directory(bits: Int, format: Int) -> TIFFDirectory {
        TIFFDirectory(index: 0, width: 10, height: 10, tileSize: nil, rowsPerStrip: 10, samplesPerPixel: 1, bitsPerSample: bits,
                      sampleFormat: format, planarConfiguration: 1, compression: .none)
    }
}
