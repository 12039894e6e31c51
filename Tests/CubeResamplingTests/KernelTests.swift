import CubeCore
import CubeFixtures
import CubeResampling
import Testing

/// An affine transform for tests: target (x, y) → source (a·x + b, c·y + d), so kernels are tested
/// without PROJ.
private struct Affine: CoordinateTransform {
    var a = 1.0, b = 0.0, c = 1.0, d = 0.0
    func transform(x: UnsafeMutableBufferPointer<Double>, y: UnsafeMutableBufferPointer<Double>) {
        for k in x.indices {
            x[k] = a * x[k] + b
            y[k] = c * y[k] + d
        }
    }
}

private func grid(_ xMin: Double, _ yMin: Double, _ res: Double, _ w: Int, _ h: Int, geographic: Bool = true) -> RegularGrid {
    RegularGrid(crs: .wgs84, isGeographic: geographic, xMin: xMin, yMin: yMin, xResolution: res, yResolution: res, width: w,
                height: h, yAxis: .descending)
}

private func source(lon: [Double], lat: [Double]) throws -> SourceGrid {
    SourceGrid(crs: .wgs84, isGeographic: true, x: try AxisCoordinates(lon), y: try AxisCoordinates(lat))
}

private func run(_ method: ResamplingMethod, _ values: [Float], _ src: SourceGrid, _ target: RegularGrid,
                 transform: any CoordinateTransform = Affine()) -> [Float] {
    let mapping = PixelMapping.compute(target: target, rows: 0..<target.height, columns: 0..<target.width, source: src, transform: transform)
    var out = [Float](repeating: -1, count: target.width * target.height)
    values.withUnsafeBufferPointer { v in
        out.withUnsafeMutableBufferPointer { o in
            Resampler.resample(method, source: v, window: SourceWindowBounds(firstRow: 0, firstColumn: 0, rowCount: src.height,
                                                                          columnCount: src.width), mapping: mapping, into: o)
        }
    }
    return out
}

@Suite struct KernelTests {
    // Source: 1° cells, lon 0.5…19.5, lat 9.5…0.5 (descending). Field linear in lon and lat.
    let lon = (0..<20).map { 0.5 + Double($0) }
    let lat = (0..<10).map { 9.5 - Double($0) }
    func field(_ x: Double, _ y: Double) -> Double { 100 + 2 * x - 3 * y }
    var values: [Float] { lat.flatMap { y in lon.map { x in Float(field(x, y)) } } }

    @Test func bilinearIsExactOnLinearFields() throws {
        let target = grid(1.3, 1.1, 0.37, 40, 20)
        let out = run(.bilinear, values, try source(lon: lon, lat: lat), target)
        for j in 0..<target.height {
            for i in 0..<target.width {
                let expected = field(target.xCenter(i), target.yCenter(j))
                #expect(abs(Double(out[j * target.width + i]) - expected) < 1e-3, "pixel \(i),\(j)")
            }
        }
    }

    @Test func nearestPicksTheContainingCell() throws {
        let target = grid(0, 0, 0.25, 80, 40)
        let out = run(.nearest, values, try source(lon: lon, lat: lat), target)
        for j in 0..<target.height {
            for i in 0..<target.width {
                let x = target.xCenter(i).rounded(.down) + 0.5, y = target.yCenter(j).rounded(.down) + 0.5
                #expect(out[j * target.width + i] == Float(field(x, y)))
            }
        }
    }

    @Test func bilinearRenormalisesOverValidNeighbours() throws {
        var v = values
        v[2 * 20 + 3] = .nan  // lon 3.5, lat 7.5
        let target = grid(3.5 - 0.05, 7.5 - 0.05, 0.1, 1, 1)  // centre exactly on the NaN cell
        let out = run(.bilinear, v, try source(lon: lon, lat: lat), target)
        #expect(out[0].isNaN, "all weight on the invalid cell")
        let between = grid(3.75 - 0.05, 7.25 - 0.05, 0.1, 1, 1)  // 1/4 of the way to the next cells
        let neighbours: [(Double, Double, Double)] = [(4.5, 7.5, 0.25 * 0.75), (3.5, 6.5, 0.75 * 0.25), (4.5, 6.5, 0.25 * 0.25)]
        let expected = neighbours.reduce(0) { $0 + field($1.0, $1.1) * $1.2 } / neighbours.reduce(0) { $0 + $1.2 }
        let got = run(.bilinear, v, try source(lon: lon, lat: lat), between)
        #expect(abs(Double(got[0]) - expected) < 1e-3)
    }

    @Test func pixelsOffTheSourceAreFill() throws {
        let target = grid(-5, -5, 1, 40, 20)
        for method in ResamplingMethod.interpolationMethods {
            let out = run(method, values, try source(lon: lon, lat: lat), target)
            for j in 0..<target.height {
                for i in 0..<target.width {
                    let x = target.xCenter(i), y = target.yCenter(j)
                    let inside = x >= 0 && x <= 20 && y >= 0 && y <= 10
                    #expect(out[j * target.width + i].isNaN == !inside, "\(method) at \(x),\(y)")
                }
            }
        }
    }

    @Test func globalSourcesWrapAtTheSeam() throws {
        let lon360 = (0..<360).map { -179.5 + Double($0) }
        let lat2 = [0.5, -0.5]
        let v: [Float] = lat2.flatMap { _ in lon360.map { Float($0) } }
        let target = grid(179.75, -0.25, 0.5, 1, 1)  // centre at 180.0, between 179.5 and -179.5
        let src = try source(lon: lon360, lat: lat2)
        let out = run(.bilinear, v, src, target)
        #expect(abs(out[0] - 0) < 1e-4, "half of 179.5 and half of -179.5")
        let window = PixelMapping.compute(target: target, rows: 0..<1, columns: 0..<1, source: src, transform: Affine()).sourceWindow(margin: 1)
        #expect(window?.columns == 0..<360)
    }

    @Test func longitudesAreShiftedIntoTheSourceRange() throws {
        // Source on 0…360; target on -180…180.
        let lon360 = (0..<360).map { 0.5 + Double($0) }
        let v: [Float] = [0.5, -0.5].flatMap { _ in lon360.map { Float($0) } }
        let target = grid(-10, -0.5, 1, 1, 1)  // centre -9.5 → 350.5
        let out = run(.nearest, v, try source(lon: lon360, lat: [0.5, -0.5]), target)
        #expect(out[0] == 350.5)
    }

    @Test func sourceWindowCoversWhatTheKernelReads() throws {
        let src = try source(lon: lon, lat: lat)
        let target = grid(5.2, 3.1, 0.3, 10, 5)
        let mapping = PixelMapping.compute(target: target, rows: 0..<5, columns: 0..<10, source: src, transform: Affine())
        let window = try #require(mapping.sourceWindow(margin: 1))
        // Reading only the window gives the same result as reading everything.
        let full = run(.bilinear, values, src, target)
        let sub = window.rows.flatMap { r in window.columns.map { c in values[r * 20 + c] } }
        var out = [Float](repeating: 0, count: 50)
        sub.withUnsafeBufferPointer { s in
            out.withUnsafeMutableBufferPointer { o in
                Resampler.resample(.bilinear, source: s, window: SourceWindowBounds(firstRow: window.rows.lowerBound,
                    firstColumn: window.columns.lowerBound, rowCount: window.rows.count, columnCount: window.columns.count),
                    mapping: mapping, into: o)
            }
        }
        #expect(out == full)
        #expect(window.count < 20 * 10)
    }
}

/// The precomputed weights (the fast path) give exactly what the general kernel gives, on seeded
/// random mappings with fill (a fifth or most of the cells), wrapping and off-grid positions.
@Suite struct WeightsEquivalenceTests {
    @Test(arguments: [1, 2, 3, 42, 4711])
    func weightsEqualTheGeneralKernel(seed: UInt64) {
        var rng = SplitMix64(seed: seed)
        let sourceWidth = Int.random(in: 3...40, using: &rng), sourceHeight = Int.random(in: 2...30, using: &rng)
        let wraps = Bool.random(using: &rng)
        let width = Int.random(in: 1...25, using: &rng), height = Int.random(in: 1...25, using: &rng)
        let n = width * height
        let columns = (0..<n).map { _ in Double.random(in: -3...Double(sourceWidth) + 2, using: &rng) }
        var rows = (0..<n).map { _ in Double.random(in: -2...Double(sourceHeight) + 1, using: &rng) }
        rows[0] = .nan
        let mapping = PixelMapping(width: width, height: height, column: columns, row: rows, sourceWidth: sourceWidth,
                                   sourceHeight: sourceHeight, wrapsColumns: wraps)
        // A window that is the whole grid or a part of it (taps outside read nothing).
        let firstRow = Int.random(in: 0..<sourceHeight, using: &rng), firstColumn = Int.random(in: 0..<sourceWidth, using: &rng)
        let window = Bool.random(using: &rng)
            ? SourceWindowBounds(firstRow: 0, firstColumn: 0, rowCount: sourceHeight, columnCount: sourceWidth)
            : SourceWindowBounds(firstRow: firstRow, firstColumn: firstColumn, rowCount: sourceHeight - firstRow,
                                 columnCount: sourceWidth - firstColumn)
        // Odd seeds make most cells missing, so pixels with all four taps missing are common too.
        let missingShare = seed % 2 == 0 ? 0.2 : 0.7
        let values = (0..<window.rowCount * window.columnCount).map { _ in
            Double.random(in: 0...1, using: &rng) < missingShare ? Float.nan : Float.random(in: -100...100, using: &rng)
        }
        for method in ResamplingMethod.interpolationMethods {
            var general = [Float](repeating: 0, count: n), fast = [Float](repeating: 0, count: n)
            values.withUnsafeBufferPointer { v in
                general.withUnsafeMutableBufferPointer { Resampler.resample(method, source: v, window: window, mapping: mapping, into: $0) }
                fast.withUnsafeMutableBufferPointer { ResamplingWeights(method, mapping: mapping, window: window).apply(source: v, into: $0) }
            }
            for k in 0..<n {
                #expect(general[k] == fast[k] || (general[k].isNaN && fast[k].isNaN), "seed \(seed) \(method) pixel \(k)")
            }
        }
    }
}
