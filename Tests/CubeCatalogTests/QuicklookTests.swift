@testable import CubeCatalog
import Testing
import Zarr

/// PNG bytes, the colour map and the quick-look layout.
struct QuicklookTests {
    @Test func crcMatchesTheStandardCheckValues() {
        #expect(CRC32.checksum(Array("123456789".utf8)) == 0xCBF4_3926)  // ISO 3309 check value
        #expect(CRC32.checksum(Array("IEND".utf8)) == 0xAE42_6082)  // every PNG's last chunk
    }

    @Test func pngHasSignatureChunksAndTheRowsWeGave() throws {
        let rgba: [UInt8] = [255, 0, 0, 255, 0, 255, 0, 255, 0, 0, 255, 0, 1, 2, 3, 4]
        let png = try PNGEncoder.encode(rgba: rgba, width: 2, height: 2)
        #expect(Array(png[0..<8]) == [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A])
        // IHDR: 13 bytes, 2 × 2, bit depth 8, colour type 6.
        #expect(Array(png[8..<16]) == [0, 0, 0, 13] + Array("IHDR".utf8))
        #expect(Array(png[16..<29]) == [0, 0, 0, 2, 0, 0, 0, 2, 8, 6, 0, 0, 0])
        // IDAT holds the zlib stream of filter byte 0 + each row.
        let idatLength = Int(png[33]) << 24 | Int(png[34]) << 16 | Int(png[35]) << 8 | Int(png[36])
        #expect(Array(png[37..<41]) == Array("IDAT".utf8))
        let raw = try ZlibCodec(level: 6).decode(Array(png[41..<(41 + idatLength)]), decodedCount: 18)
        #expect(raw == [0] + Array(rgba[0..<8]) + [0] + Array(rgba[8..<16]))
        #expect(Array(png.suffix(12)) == [0, 0, 0, 0] + Array("IEND".utf8) + [0xAE, 0x42, 0x60, 0x82])
    }

    @Test func viridisEndsAndMiddleAreMatplotlibs() {
        let map = ColorMap.viridis
        #expect(map.color(0) == (68, 1, 84))
        #expect(map.color(1) == (253, 231, 37))
        #expect(map.color(0.5) == (33, 145, 140))
        #expect(map.color(-3) == (68, 1, 84) && map.color(.nan) == (68, 1, 84))
    }

    @Test func rangeIsThe2ndTo98thPercentileOfValidValues() throws {
        var values = (0..<100).map(Float.init)
        values += [.nan, .nan, 1e9]
        let look = Quicklook(values: values, width: 103, height: 1, title: "t", units: "K")
        let range = try #require(look.range)
        #expect(range.low == 2 && range.high == 98)
        #expect(Quicklook(values: [.nan, .nan], width: 2, height: 1, title: "t", units: "").range == nil)
    }

    @Test func fillIsTransparentAndTheFieldIsScaledUpToReadableSize() {
        // 4 × 2 field, top-left fill.
        let look = Quicklook(values: [.nan, 1, 2, 3, 4, 5, 6, 7], width: 4, height: 2, title: "v", units: "K")
        let image = look.render()
        let scale = 256 / 4
        #expect(image.width >= 4 * scale)
        func pixel(_ x: Int, _ y: Int) -> [UInt8] { Array(image.rgba[((y * image.width + x) * 4)..<((y * image.width + x) * 4 + 4)]) }
        let mapX = 6, mapY = 6 + 10 + 4
        #expect(pixel(mapX, mapY)[3] == 0)  // fill
        #expect(pixel(mapX + scale, mapY)[3] == 255)
        #expect(pixel(mapX + 3 * scale + scale - 1, mapY + 2 * scale - 1)[0...2] == [253, 231, 37])  // the largest value
        #expect(pixel(0, 0) == [255, 255, 255, 255])  // the legend area is opaque white
    }

    @Test func samplingShrinksLargeFieldsAsRenderWouldAndKeepsSmallOnes() {
        let small = QuicklookSampling(width: 40, height: 30)
        #expect(small.columns == Array(0..<40) && small.rows == Array(0..<30))
        let large = QuicklookSampling(width: 4000, height: 1000)
        #expect(large.columns.count == 1024 && large.rows.count == 256)
        #expect(large.columns.first == 0 && large.columns.last == 3996 && large.rows[1] == 3)
        // Rendering the full field and the sampled one gives pictures of the same size.
        var field = [Float](repeating: 0, count: 2048 * 1500)  // the colour range may differ: only sizes compare
        for k in field.indices { field[k] = Float(k % 2048) }
        let sampling = QuicklookSampling(width: 2048, height: 1500)
        let sampled = sampling.rows.flatMap { r in sampling.columns.map { c in field[r * 2048 + c] } }
        let direct = Quicklook(values: field, width: 2048, height: 1500, title: "f", units: "1").render()
        let viaSampling = Quicklook(values: sampled, width: sampling.columns.count, height: sampling.rows.count, title: "f", units: "1")
            .render()
        #expect(direct.width == viaSampling.width && direct.height == viaSampling.height)
    }
}

/// The quick-look range found by selection equals the ranks a full sort gives.
struct QuicklookRangeTests {
    @Test(arguments: [1, 2, 3, 50, 1001, 40_000])
    func selectionGivesTheSortedPercentiles(count: Int) {
        var state: UInt64 = UInt64(count) &* 2_654_435_761
        func next() -> Float {
            state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
            return Float(Int(state >> 40) % 997) / 7  // many ties
        }
        var values = (0..<count).map { _ in next() }
        if count > 3 { values[1] = .nan; values[2] = .infinity }
        let look = Quicklook(values: values, width: count, height: 1, title: "t", units: "")
        let valid = values.filter(\.isFinite).sorted()
        func rank(_ p: Double) -> Float { valid[min(valid.count - 1, Int(p * Double(valid.count - 1) + 0.5))] }
        let range = look.range
        #expect(range?.low == Double(rank(0.02)) && range?.high == Double(rank(0.98)))
    }
}
