import CubeCore
import CubeFixtures
import CubeProjection
import CubeResampling
import Testing

/// The approximate transformer stays within its bound (in source pixels) against exact PROJ on
/// seeded random scanlines of several projections over a global 0.25° lat/lon source.
@Suite struct ApproximationBoundTests {
    static let cases: [(String, [Double])] = [
        ("EPSG:3035", [2_500_000, 1_400_000, 7_500_000, 5_500_000]),
        ("EPSG:3413", [-3_000_000, -3_000_000, 3_000_000, 3_000_000]),
        ("EPSG:32633", [200_000, 4_000_000, 800_000, 7_000_000]),
        ("EPSG:3857", [-2_000_000, 3_000_000, 4_000_000, 9_000_000]),
        ("+proj=lcc +lat_1=30 +lat_2=60 +lon_0=-100 +datum=WGS84 +units=m +type=crs", [-3_000_000, -2_000_000, 3_000_000, 2_000_000]),
    ]

    @Test(arguments: cases, [0.125, 0.01])
    func approximationStaysWithinTheBound(projection: (String, [Double]), maxError: Double) throws {
        let (crs, bbox) = projection
        let source = SourceGrid(crs: .wgs84, isGeographic: true,
                                x: try AxisCoordinates((0..<1440).map { -179.875 + 0.25 * Double($0) }),
                                y: try AxisCoordinates((0..<720).map { 89.875 - 0.25 * Double($0) }))
        let width = 1000, height = 800
        let target = RegularGrid(crs: CRSDefinition(crs), isGeographic: false, xMin: bbox[0], yMin: bbox[1],
                                 xResolution: (bbox[2] - bbox[0]) / Double(width), yResolution: (bbox[3] - bbox[1]) / Double(height),
                                 width: width, height: height, yAxis: .descending)
        let transform = try PROJTransform(from: target.crs, to: .wgs84)
        var rng = SplitMix64(seed: UInt64(crs.count) &* 31 &+ UInt64(maxError * 1000))
        for _ in 0..<12 {
            let row = Int.random(in: 0..<height, using: &rng)
            let start = Int.random(in: 0..<(width - 300), using: &rng), length = Int.random(in: 3...300, using: &rng)
            let columns = start..<(start + length)
            let exact = PixelMapping.compute(target: target, rows: row..<(row + 1), columns: columns, source: source, transform: transform)
            let approx = PixelMapping.compute(target: target, rows: row..<(row + 1), columns: columns, source: source, transform: transform,
                                              maxError: maxError)
            var worst = 0.0
            for k in 0..<length {
                var dx = abs(exact.column[k] - approx.column[k])
                dx = min(dx, abs(dx - 1440))  // the same position across the seam
                worst = max(worst, dx, abs(exact.row[k] - approx.row[k]))
            }
            #expect(worst <= maxError * 1.05, "\(crs) row \(row) columns \(columns): \(worst) source pixels")
        }
    }
}
