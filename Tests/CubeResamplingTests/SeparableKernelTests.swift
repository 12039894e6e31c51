import CubeCore
import CubeResampling
import Foundation
import Testing

/// cubic, cubic_spline and lanczos on 1° lat/lon grids, where source index space is lon/lat.
@Suite struct SeparableKernelTests {
    private struct Same: CoordinateTransform {
        func transform(x: UnsafeMutableBufferPointer<Double>, y: UnsafeMutableBufferPointer<Double>) {}
    }

    // Source: 1° cells, lon 0.5 … 29.5, lat 29.5 … 0.5 (descending).
    let source = SourceGrid(crs: .wgs84, isGeographic: true, x: try! AxisCoordinates((0..<30).map { 0.5 + Double($0) }),
                            y: try! AxisCoordinates((0..<30).map { 29.5 - Double($0) }))

    private func values(_ f: (Double, Double) -> Double) -> [Float] {
        source.y.values.flatMap { y in source.x.values.map { x in Float(f(x, y)) } }
    }

    /// A target inside the source, at least 3 cells from its edges, at off-centre positions.
    private let target = RegularGrid(crs: .wgs84, isGeographic: true, xMin: 5.13, yMin: 5.07, xResolution: 0.73, yResolution: 0.61,
                                     width: 25, height: 30, yAxis: .descending)

    private func run(_ method: ResamplingMethod, _ values: [Float]) -> [Float] {
        let mapping = PixelMapping.compute(target: target, rows: 0..<target.height, columns: 0..<target.width, source: source, transform: Same())
        let weights = ResamplingWeights(method, mapping: mapping, window: SourceWindowBounds(firstRow: 0, firstColumn: 0, rowCount: 30, columnCount: 30))
        var out = [Float](repeating: -1, count: target.width * target.height)
        values.withUnsafeBufferPointer { v in out.withUnsafeMutableBufferPointer { weights.apply(source: v, into: $0) } }
        return out
    }

    private func check(_ out: [Float], tolerance: Double, _ expected: (Double, Double) -> Double) {
        for j in 0..<target.height {
            for i in 0..<target.width {
                let e = expected(target.xCenter(i), target.yCenter(j))
                #expect(abs(Double(out[j * target.width + i]) - e) < tolerance, "pixel \(i),\(j)")
            }
        }
    }

    @Test func cubicReproducesQuadraticFields() {
        let f = { (x: Double, y: Double) in 3 + 0.5 * x - 0.2 * y + 0.05 * x * x + 0.03 * y * y - 0.01 * x * y }
        check(run(.cubic, values(f)), tolerance: 2e-3, f)
    }

    @Test func cubicSplineReproducesLinearFields() {
        let f = { (x: Double, y: Double) in 10 + 0.7 * x - 0.4 * y }
        check(run(.cubicSpline, values(f)), tolerance: 1e-3, f)
    }

    @Test func lanczosMatchesTheWindowedSincSum() {
        let f = { (x: Double, y: Double) in sin(x / 3) * cos(y / 4) * 10 }
        let grid = values(f)
        func sinc3(_ d: Double) -> Double {
            if abs(d) < 1e-12 { return 1 }
            if abs(d) >= 3 { return 0 }
            return 3 * sin(.pi * d) * sin(.pi * d / 3) / (.pi * .pi * d * d)
        }
        // Brute force: every source cell, normalised 2-D windowed sinc at the target position.
        check(run(.lanczos, grid), tolerance: 1e-3) { x, y in
            let c = x - 0.5, r = 29.5 - y
            var sum = 0.0, wxs = 0.0, wys = 0.0
            for q in 0..<30 { wxs += sinc3(c - Double(q)) }
            for p in 0..<30 { wys += sinc3(r - Double(p)) }
            for p in 0..<30 {
                for q in 0..<30 { sum += Double(grid[p * 30 + q]) * sinc3(c - Double(q)) * sinc3(r - Double(p)) }
            }
            return sum / (wxs * wys)
        }
    }

    @Test func fillIsRenormalisedAwayOrGivesFill() {
        var grid = values { x, y in 5 + 0.1 * x + 0.2 * y }
        grid[15 * 30 + 15] = .nan  // lon 15.5, lat 14.5
        for method in [ResamplingMethod.cubic, .cubicSpline, .lanczos] {
            // Interpolating kernels put (almost) all weight on a cell at its centre: only pixels
            // centred within half a cell of the fill cell may be fill.
            let out = run(method, grid)
            for j in 0..<target.height {
                for i in 0..<target.width where out[j * target.width + i].isNaN {
                    #expect(abs(target.xCenter(i) - 15.5) < 0.5 && abs(target.yCenter(j) - 14.5) < 0.5, "\(method) pixel \(i),\(j)")
                }
            }
            let fills = out.filter(\.isNaN).count
            #expect(fills <= 1, "\(method)")
        }
        let allFill = [Float](repeating: .nan, count: 900)
        let valid = run(.cubic, allFill).filter { !$0.isNaN }.count
        #expect(valid == 0)
    }
}
