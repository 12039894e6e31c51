import CubeCore
import Foundation
import Testing
@testable import CubeStoreGRIB

/// CubeGen's simple-packing decoder (`GRIBSimplePacking`) against ecCodes (`GRIBCalls.values`) on
/// GRIB 2 messages written here: every width 1…32, binary and decimal scales negative and
/// positive, negative references, bitmaps, constant fields of width 0. The single-precision
/// values must be equal bit for bit, and missing points NaN.
@Suite struct GRIBSimplePackingTests {
    /// Sections 1 (identification), 3 (a regular lat/lon grid, Ni and Nj patched) and 4 of a real
    /// message: the fixture written with ecCodes.
    private static let template: [UInt8] = {
        let path = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Fixtures/time_unit_81.grib2").path
        var bytes = [UInt8](FileManager.default.contents(atPath: path) ?? Data())
        bytes[bytes.firstIndex(of: 81)!] = 1  // a valid time unit (hours)
        return Array(bytes[16..<143])  // sections 1, 3 and 4 of the first message
    }()

    private static func be(_ value: Int, _ count: Int) -> [UInt8] {
        (0..<count).map { UInt8(truncatingIfNeeded: value >> (8 * (count - 1 - $0))) }
    }

    private static func signed16(_ value: Int) -> [UInt8] {
        be(value < 0 ? 0x8000 | -value : value, 2)
    }

    /// A GRIB 2 message of `ni × nj` points packed with `bits` bits, scales `e`, `d`, reference
    /// `r`, the packed integers `packed` (one per present point) and an optional bitmap.
    static func message(ni: Int, nj: Int, bits: Int, e: Int, d: Int, r: Float, packed: [UInt64], bitmap: [Bool]?) -> [UInt8] {
        var body = template
        // Section 3 starts at byte 21 of `template`: the point count at +6, Ni at +30, Nj at +34.
        body.replaceSubrange((21 + 6)..<(21 + 10), with: be(ni * nj, 4))
        body.replaceSubrange((21 + 30)..<(21 + 34), with: be(ni, 4))
        body.replaceSubrange((21 + 34)..<(21 + 38), with: be(nj, 4))
        var section5 = be(21, 4) + [5] + be(packed.count, 4) + be(0, 2)
        section5 += be(Int(r.bitPattern), 4) + signed16(e) + signed16(d) + [UInt8(bits), 0]
        var section6: [UInt8]
        if let bitmap {
            var bytes = [UInt8](repeating: 0, count: (bitmap.count + 7) / 8)
            for (k, present) in bitmap.enumerated() where present { bytes[k / 8] |= 0x80 >> UInt8(k % 8) }
            section6 = be(6 + bytes.count, 4) + [6, 0] + bytes
        } else {
            section6 = be(6, 4) + [6, 255]
        }
        var data = [UInt8](repeating: 0, count: (packed.count * bits + 7) / 8)
        for (i, x) in packed.enumerated() {
            for b in 0..<bits where (x >> UInt64(bits - 1 - b)) & 1 == 1 {
                let bit = i * bits + b
                data[bit / 8] |= 0x80 >> UInt8(bit % 8)
            }
        }
        let section7 = be(5 + data.count, 4) + [7] + data
        body += section5 + section6 + section7
        let length = 16 + body.count + 4
        return Array("GRIB".utf8) + [0, 0, 0, 2] + be(length, 8) + body + Array("7777".utf8)
    }

    /// Decodes `bytes` both ways and compares them point by point.
    private func compare(_ bytes: [UInt8], bitmap: [Bool]?, _ label: String) throws {
        let ours = try #require(bytes.withUnsafeBytes { GRIBSimplePacking.decode($0) }, "\(label): not decoded by CubeGen")
        let theirs = try GRIBCalls.values(bytes, path: "test.grib2", offset: 0)
        try #require(ours.count == theirs.count, "\(label): \(ours.count) vs \(theirs.count) values")
        var mismatches = 0
        for k in ours.indices {
            if let bitmap, !bitmap[k] {
                if !ours[k].isNaN || !theirs[k].isNaN { mismatches += 1 }
            } else if ours[k].bitPattern != Float(theirs[k]).bitPattern {
                if mismatches == 0 { Issue.record("\(label): point \(k): \(ours[k]) vs ecCodes \(theirs[k])") }
                mismatches += 1
            }
        }
        #expect(mismatches == 0, "\(label): \(mismatches) of \(ours.count) points differ")
    }

    @Test func everyWidthAndScaleMatchesECCodes() throws {
        var generator = SystemRandomNumberGenerator()
        let (ni, nj) = (37, 11)
        for bits in 1...32 {
            for (e, d) in [(0, 0), (-7, 2), (3, -2), (-20, 6), (5, 0), (0, -3), (-1, 9)] {
                let mask: UInt64 = bits == 64 ? .max : (1 << UInt64(bits)) - 1
                let r = Float.random(in: -5000...5000, using: &generator)
                for withBitmap in [false, true] {
                    let bitmap = withBitmap ? (0..<(ni * nj)).map { _ in Bool.random(using: &generator) } : nil
                    let count = bitmap?.filter { $0 }.count ?? ni * nj
                    var packed = (0..<count).map { _ in UInt64.random(in: 0...mask, using: &generator) }
                    if count > 2 { packed[0] = 0; packed[1] = mask }  // the extremes of the width
                    let bytes = Self.message(ni: ni, nj: nj, bits: bits, e: e, d: d, r: r, packed: packed, bitmap: bitmap)
                    try compare(bytes, bitmap: bitmap, "bits \(bits) E \(e) D \(d) R \(r) bitmap \(withBitmap)")
                }
            }
        }
    }

    /// Runs of points decode to the whole field's values at those points (NaN where the bitmap
    /// says missing), for every width, with and without a bitmap, runs at both ends included.
    @Test func runsOfPointsDecodeAsTheWholeField() throws {
        var generator = SystemRandomNumberGenerator()
        let (ni, nj) = (53, 19)
        let points = ni * nj
        for bits in [1, 7, 8, 12, 16, 23, 24, 31, 32] {
            for withBitmap in [false, true] {
                let bitmap = withBitmap ? (0..<points).map { k in k % 7 == 3 || Bool.random(using: &generator) } : nil
                let count = bitmap?.filter { $0 }.count ?? points
                let mask: UInt64 = (1 << UInt64(bits)) - 1
                let packed = (0..<count).map { _ in UInt64.random(in: 0...mask, using: &generator) }
                let bytes = Self.message(ni: ni, nj: nj, bits: bits, e: -3, d: 1, r: -12.5, packed: packed, bitmap: bitmap)
                let whole = try #require(bytes.withUnsafeBytes { GRIBSimplePacking.decode($0) })
                for runs in [[0..<1, 5..<40, 41..<42, 300..<points], [0..<points], [(points - 3)..<points], [17..<18]] {
                    let ours = try #require(bytes.withUnsafeBytes { raw in
                        GRIBSimplePacking.layout(raw).flatMap { GRIBSimplePacking.decode(raw, $0, runs: runs) }
                    })
                    let expected = runs.flatMap { whole[$0] }
                    #expect(ours.count == expected.count)
                    #expect(zip(ours, expected).allSatisfy { $0.bitPattern == $1.bitPattern || ($0.isNaN && $1.isNaN) },
                            "bits \(bits) bitmap \(withBitmap) runs \(runs)")
                }
            }
        }
    }

    /// A field of more than two stripes' values unpacks in parallel stripes: the same values.
    @Test func aLargeFieldUnpacksInStripesAsInOne() throws {
        let (ni, nj) = (2048, 1100)   // 2.25 million points: two or more stripes
        #expect(ni * nj >= 2 * GRIBSimplePacking.stripeValues)
        let packed = (0..<(ni * nj)).map { UInt64(($0 &* 2_654_435_761) & 0xFFFFFF) }
        let bytes = Self.message(ni: ni, nj: nj, bits: 24, e: -4, d: 2, r: 250, packed: packed, bitmap: nil)
        let whole = try #require(bytes.withUnsafeBytes { GRIBSimplePacking.decode($0) })
        let one = try #require(bytes.withUnsafeBytes { raw in GRIBSimplePacking.layout(raw).flatMap { GRIBSimplePacking.decode(raw, $0, runs: [0..<(ni * nj)]) } })
        #expect(whole.count == ni * nj)
        #expect(zip(whole, one).allSatisfy { $0.bitPattern == $1.bitPattern })
    }

    @Test func constantFieldsOfWidthZeroMatchECCodes() throws {
        let (ni, nj) = (5, 4)
        for (r, d) in [(Float(273.15), 0), (-12.5, 2), (101_325, -1), (0, 3)] {
            let bitmap = (0..<(ni * nj)).map { $0 % 3 != 1 }
            // Width 0: no data bytes, but section 5 still counts a value per point.
            try compare(Self.message(ni: ni, nj: nj, bits: 0, e: 0, d: d, r: r, packed: Array(repeating: 0, count: ni * nj), bitmap: nil),
                        bitmap: nil, "constant \(r) D \(d)")
            try compare(Self.message(ni: ni, nj: nj, bits: 0, e: 0, d: d, r: r, packed: Array(repeating: 0, count: bitmap.filter { $0 }.count),
                                     bitmap: bitmap), bitmap: bitmap, "constant \(r) D \(d) with bitmap")
        }
    }

    @Test func aMessageLeftToECCodesIsNotDecoded() throws {
        var bytes = Self.message(ni: 5, nj: 4, bits: 12, e: 0, d: 0, r: 1, packed: Array(repeating: 7, count: 20), bitmap: nil)
        let section5 = 16 + Self.template.count
        bytes[section5 + 10] = 42  // CCSDS (template 5.42): ecCodes decodes it
        #expect(bytes.withUnsafeBytes { GRIBSimplePacking.layout($0) } == nil)
        var shortBitmap = Self.message(ni: 5, nj: 4, bits: 12, e: 0, d: 0, r: 1, packed: Array(repeating: 7, count: 10),
                                       bitmap: (0..<20).map { $0 < 10 })
        shortBitmap[section5 + 8] = 11  // 11 packed values for 10 set bits: left to ecCodes, which reports it
        #expect(shortBitmap.withUnsafeBytes { GRIBSimplePacking.decode($0) } == nil)
    }

    @Test func aHEALPixFileReadsAsThroughECCodes() throws {
        let path = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Fixtures/healpix_h2_nested.grib2").path
        for message in try GRIBCalls.index(path) {
            let ours = try GRIBReader.values(path, message)
            let theirs = try GRIBCalls.values(path, offset: message.offset, length: message.length)
            #expect(ours.map(\.bitPattern) == theirs.map { Float($0).bitPattern })
            #expect(try GRIBFraming.message(path, offset: message.offset, length: message.length).withUnsafeBytes {
                GRIBSimplePacking.layout($0)
            } != nil, "the fixture is simple-packed: CubeGen decodes it")
        }
    }
}
