import CubeCore
import CubeResampling
import Foundation
import Testing

/// Area methods against a brute-force overlap computation on regular lat/lon grids.
@Suite struct AreaWeightsTests {
    private struct Same: CoordinateTransform {
        func transform(x: UnsafeMutableBufferPointer<Double>, y: UnsafeMutableBufferPointer<Double>) {}
    }

    /// Source: `res`° cells from lon 0 and lat 60 (descending), `w × h`.
    private func source(_ res: Double, _ w: Int, _ h: Int) throws -> SourceGrid {
        SourceGrid(crs: .wgs84, isGeographic: true, x: try AxisCoordinates((0..<w).map { res / 2 + Double($0) * res }),
                   y: try AxisCoordinates((0..<h).map { 60 - res / 2 - Double($0) * res }))
    }

    private func run(_ method: ResamplingMethod, _ values: [Float], _ src: SourceGrid, _ target: RegularGrid) -> [Float] {
        let corners = PixelMapping.compute(target: target.cornerLattice, rows: 0..<(target.height + 1), columns: 0..<(target.width + 1),
                                           source: src, transform: Same())
        let window = SourceWindowBounds(firstRow: 0, firstColumn: 0, rowCount: src.height, columnCount: src.width)
        let weights = ResamplingWeights(area: method, corners: corners, latitudes: src.y, window: window)
        var out = [Float](repeating: -1, count: target.width * target.height)
        values.withUnsafeBufferPointer { v in out.withUnsafeMutableBufferPointer { weights.apply(source: v, into: $0) } }
        return out
    }

    /// The overlap-weighted mean of source cells with a target cell, computed cell by cell in degrees.
    private func bruteForce(_ values: [Float], _ src: SourceGrid, res: Double, x0: Double, x1: Double, y0: Double, y1: Double,
                            spherical: Bool) -> Double {
        var sum = 0.0, weight = 0.0
        for (r, lat) in src.y.values.enumerated() {
            let s0 = max(y0, lat - res / 2), s1 = min(y1, lat + res / 2)
            guard s1 > s0 else { continue }
            let wy = spherical ? sin(s1 * .pi / 180) - sin(s0 * .pi / 180) : s1 - s0
            for (c, lon) in src.x.values.enumerated() {
                let overlap = min(x1, lon + res / 2) - max(x0, lon - res / 2)
                let v = values[r * src.width + c]
                guard overlap > 0, !v.isNaN else { continue }
                sum += Double(v) * overlap * wy
                weight += overlap * wy
            }
        }
        return weight > 0 ? sum / weight : .nan
    }

    @Test(arguments: [(ResamplingMethod.average, 2.0), (.conservative, 2.0), (.average, 1.5), (.conservative, 2.5), (.average, 0.4)])
    func matchesBruteForceOverlaps(method: ResamplingMethod, targetResolution: Double) throws {
        let src = try source(1, 20, 20)
        var values = (0..<400).map { Float(sin(Double($0) * 0.37) * 10 + Double($0 % 7)) }
        values[45] = .nan
        values[46] = .nan
        let n = Int((10 / targetResolution).rounded(.down))
        let target = RegularGrid(crs: .wgs84, isGeographic: true, xMin: 2, yMin: 60 - 2 - Double(n) * targetResolution,
                                 xResolution: targetResolution, yResolution: targetResolution, width: n, height: n, yAxis: .descending)
        let out = run(method, values, src, target)
        for j in 0..<n {
            for i in 0..<n {
                let (x0, x1) = target.xBounds(i), (ya, yb) = target.yBounds(j)
                let expected = bruteForce(values, src, res: 1, x0: x0, x1: x1, y0: min(ya, yb), y1: max(ya, yb),
                                          spherical: method == .conservative)
                let got = Double(out[j * n + i])
                #expect(expected.isNaN ? got.isNaN : abs(got - expected) < 1e-4, "\(method) \(targetResolution) pixel \(i),\(j)")
            }
        }
    }

    @Test func upsamplingRepeatsTheContainingCellAndAllFillIsFill() throws {
        let src = try source(1, 4, 4)
        var values: [Float] = (0..<16).map(Float.init)
        values[5] = .nan
        let target = RegularGrid(crs: .wgs84, isGeographic: true, xMin: 0, yMin: 56, xResolution: 0.25, yResolution: 0.25,
                                 width: 16, height: 16, yAxis: .descending)
        let out = run(.average, values, src, target)
        for j in 0..<16 {
            for i in 0..<16 {
                let cell = (j / 4) * 4 + i / 4
                let got = out[j * 16 + i]
                #expect(cell == 5 ? got.isNaN : got == values[cell], "pixel \(i),\(j)")
            }
        }
    }

    @Test func globalGridsWrapAtTheSeam() throws {
        // 1° global source on -180…180, target 2° cells centred on the seam.
        let src = SourceGrid(crs: .wgs84, isGeographic: true, x: try AxisCoordinates((0..<360).map { -179.5 + Double($0) }),
                             y: try AxisCoordinates([0.5, -0.5]))
        let values: [Float] = (0..<2).flatMap { _ in (0..<360).map { Float($0) } }
        let target = RegularGrid(crs: .wgs84, isGeographic: true, xMin: 179, yMin: -1, xResolution: 2, yResolution: 2, width: 1,
                                 height: 1, yAxis: .descending)
        let out = run(.average, values, src, target)
        #expect(out[0] == Float(359 + 0) / 2, "the cells at 179.5 and -179.5")
    }

    /// Every area reducer against a brute-force overlap list, with a 1.5° target over 1° cells,
    /// repeated values (for mode) and fill.
    @Test(arguments: [ResamplingMethod.rms, .sum, .mode, .min, .max, .med, .q1, .q3])
    func reducersMatchBruteForce(method: ResamplingMethod) throws {
        let src = try source(1, 12, 12)
        var values = (0..<144).map { Float(($0 * 7919) % 13) - 4 }
        values[30] = .nan
        values[31] = .nan
        let n = 6
        let target = RegularGrid(crs: .wgs84, isGeographic: true, xMin: 1.25, yMin: 60 - 1.25 - Double(n) * 1.5,
                                 xResolution: 1.5, yResolution: 1.5, width: n, height: n, yAxis: .descending)
        let out = run(method, values, src, target)
        for j in 0..<n {
            for i in 0..<n {
                let (x0, x1) = target.xBounds(i), (ya, yb) = target.yBounds(j)
                var pairs: [(Double, Double)] = []
                for (r, lat) in src.y.values.enumerated() {
                    let wy = min(max(ya, yb), lat + 0.5) - max(min(ya, yb), lat - 0.5)
                    for (c, lon) in src.x.values.enumerated() {
                        let wx = min(x1, lon + 0.5) - max(x0, lon - 0.5)
                        let v = values[r * 12 + c]
                        if wx > 0, wy > 0, !v.isNaN { pairs.append((Double(v), wx * wy)) }
                    }
                }
                let total = pairs.reduce(0) { $0 + $1.1 }
                func quantile(_ q: Double) -> Double {
                    var cumulative = 0.0
                    for (v, w) in pairs.sorted(by: { $0.0 < $1.0 }) {
                        cumulative += w
                        if cumulative >= q * total - 1e-12 { return v }
                    }
                    return pairs.map(\.0).max()!
                }
                let expected: Double
                switch method {
                case .rms: expected = (pairs.reduce(0) { $0 + $1.0 * $1.0 * $1.1 } / total).squareRoot()
                case .sum: expected = pairs.reduce(0) { $0 + $1.0 * $1.1 }
                case .min: expected = pairs.map(\.0).min()!
                case .max: expected = pairs.map(\.0).max()!
                case .med: expected = quantile(0.5)
                case .q1: expected = quantile(0.25)
                case .q3: expected = quantile(0.75)
                default:
                    var totals: [Double: Double] = [:]
                    for (v, w) in pairs { totals[v, default: 0] += w }
                    let best = totals.values.max()!
                    expected = totals.filter { abs($0.value - best) < 1e-9 }.keys.min()!
                }
                #expect(abs(Double(out[j * n + i]) - expected) < 1e-4, "\(method) pixel \(i),\(j): \(pairs)")
            }
        }
    }
}
