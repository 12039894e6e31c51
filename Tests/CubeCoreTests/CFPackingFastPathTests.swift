import CubeFixtures
import Testing
@testable import CubeCore

/// The vectorisable decode loops (none or one missing value) give the bits of the general loop.
@Suite struct CFPackingFastPathTests {
    /// The general loop, as it was before the fast paths: the reference.
    private func reference(_ packing: CFPacking, _ values: [Float]) -> [Float] {
        let lo = packing.validMin.map { Float($0) } ?? -.infinity, hi = packing.validMax.map { Float($0) } ?? .infinity
        let missing = packing.missingValues.map { Float($0) }
        let scales = packing.scaleFactor != 1 || packing.addOffset != 0
        return values.map { v in
            if v.isNaN || v < lo || v > hi || missing.contains(v) { return .nan }
            return scales ? Float(Double(v) * packing.scaleFactor + packing.addOffset) : v
        }
    }

    @Test(arguments: [0, 1, 2])
    func fastPathsMatchTheGeneralLoop(missingCount: Int) {
        var seeded = SplitMix64(seed: 42 + UInt64(missingCount))
        let missing = [-32768.0, -999.0].prefix(missingCount)
        let packings = [
            CFPacking(missingValues: Array(missing), validMin: -2000, validMax: 10000, scaleFactor: 1e-4, addOffset: 0.5),
            CFPacking(missingValues: Array(missing)),
            CFPacking(missingValues: Array(missing), validMin: 0),
        ]
        var values: [Float] = (0..<5000).map { _ in Float(Int(seeded.next() % 30000) - 15000) }
        values += [-32768, -999, .nan, -0.0, 0, .infinity, -.infinity, 10000, 10001, -2000, -2001]
        for packing in packings {
            var decoded = values
            decoded.withUnsafeMutableBufferPointer { packing.decode($0) }
            let expected = reference(packing, values)
            #expect(zip(decoded, expected).allSatisfy { $0.bitPattern == $1.bitPattern || ($0.isNaN && $1.isNaN) })
        }
        var empty: [Float] = []
        empty.withUnsafeMutableBufferPointer { packings[0].decode($0) }
    }
}
