import CubeFixtures
import CubeGaussianGrid
import Foundation
import Testing

/// Gaussian latitudes against numpy's `leggauss`; reduced grids' layout and stencils.
@Suite struct GaussianGridTests {
    /// Nodes to 2e-15 absolute in sin(latitude) (about 1e-13° in latitude). Weights to 1e-10 relative
    /// against 40-digit values near the pole — any weight evaluated at a double root `x` carries an
    /// error of about `1e-16/(1 − x)` relative, 1.4e-11 on the first row of N = 1280 — and to 1e-6
    /// against numpy's (whose own polar weights are off by up to 1.4e-7 there).
    @Test func latitudesMatchNumpyLeggauss() {
        let reference = GaussianReference.shared
        #expect(reference.generator.hasPrefix("numpy "))
        for c in reference.cases {
            let g = GaussianLatitudes(n: c.n)
            #expect(g.sines.count == 2 * c.n)
            for (j, i) in c.index.enumerated() {
                #expect(abs(g.sines[i] - c.sines[j]) <= 2e-15, "N \(c.n) row \(i): \(g.sines[i]) vs \(c.sines[j])")
                #expect(abs(g.weights[i] - c.weights[j]) <= 1e-6 * c.weights[j], "N \(c.n) weight \(i): \(g.weights[i]) vs \(c.weights[j])")
                #expect(abs(g.latitudes[i] - c.latitudes[j]) <= 1e-12, "N \(c.n) latitude \(i)")
            }
            for (i, exact) in c.weights_exact.enumerated() {
                #expect(abs(g.weights[i] - exact) <= 1e-10 * exact, "N \(c.n) weight \(i): \(g.weights[i]) vs exact \(exact)")
            }
            #expect(abs(g.weights.reduce(0, +) - 2) < 1e-12)
        }
    }

    /// Point counts published for ECMWF's octahedral grids.
    @Test func octahedralPointCounts() {
        #expect(ReducedGaussianGrid.octahedralPointsPerRow(1280).reduce(0, +) == 6_599_680)
        #expect(ReducedGaussianGrid.octahedralPointsPerRow(2560).reduce(0, +) == 26_306_560)
        #expect(ReducedGaussianGrid.octahedral(320).pointCount == 421_120)
        let o8 = ReducedGaussianGrid.octahedral(8)
        #expect(o8.pointsPerRow.prefix(3) == [20, 24, 28] && o8.pointsPerRow.suffix(2) == [24, 20])
        #expect(o8.rowStarts[1] == 20 && o8.rowStarts[16] == o8.pointCount)
        #expect(ReducedGaussianGrid.regular(4).pointCount == 8 * 16)
        #expect(throws: GaussianGridError.badRows(n: 2, rows: 3)) { try ReducedGaussianGrid(n: 2, pointsPerRow: [4, 8, 4]) }
    }

    @Test func locationsWalkRowsWestToEast() {
        let grid = ReducedGaussianGrid.octahedral(16)
        #expect(grid.location(of: 0).longitude == 0)
        #expect(grid.location(of: 1).longitude == 18)   // 20 points on the first row
        #expect(grid.location(of: 20).latitude == grid.latitudes.latitudes[1])
        #expect(grid.location(of: grid.pointCount - 1).latitude == grid.latitudes.latitudes[31])
    }

    /// The nearest point of every grid point is itself; of a random point, no grid point is closer.
    @Test func nearestIsNearest() {
        let grid = ReducedGaussianGrid.octahedral(12)
        for i in 0..<grid.pointCount {
            let p = grid.location(of: i)
            #expect(grid.nearest(latitude: p.latitude, longitude: p.longitude + (i % 2 == 0 ? 360 : 0)) == i)
        }
        var generator = SplitMix64(seed: 11)
        for _ in 0..<200 {
            let lat = Double.random(in: -90...90, using: &generator), lon = Double.random(in: -180...360, using: &generator)
            let found = grid.location(of: grid.nearest(latitude: lat, longitude: lon))
            let best = (0..<grid.pointCount).map { distance(lat, lon, grid.location(of: $0)) }.min()!
            #expect(distance(lat, lon, found) <= best + 1e-12, "at \(lat), \(lon)")
        }
    }

    /// Weights sum to 1 and reproduce a field linear in latitude between rows and linear in longitude
    /// along each row.
    @Test func linearStencilIsLinear() {
        let grid = ReducedGaussianGrid.octahedral(20)
        let lats = grid.latitudes.latitudes
        var generator = SplitMix64(seed: 12)
        for _ in 0..<500 {
            let lat = Double.random(in: lats[lats.count - 1]..<lats[0], using: &generator)
            let lon = Double.random(in: 0..<360, using: &generator)
            let s = grid.linearStencil(latitude: lat, longitude: lon)
            #expect(abs(s.weights.sum() - 1) < 1e-12)
            let latitudeField = (0..<4).map { s.weights[$0] * grid.location(of: s.points[$0]).latitude }.reduce(0, +)
            #expect(abs(latitudeField - lat) < 1e-9)
            // Longitude, unwrapped next to the target, is reproduced on each row.
            let lonField = (0..<4).map { m -> Double in
                var l = grid.location(of: s.points[m]).longitude
                if l - lon > 180 { l -= 360 } else if lon - l > 180 { l += 360 }
                return s.weights[m] * l
            }.reduce(0, +)
            #expect(abs(lonField - lon) < 1e-9)
        }
        let polar = grid.linearStencil(latitude: 89.9, longitude: 10)
        #expect(abs(polar.weights.sum() - 1) < 1e-12 && polar.points[0] < grid.pointsPerRow[0])
    }

    private func distance(_ lat: Double, _ lon: Double, _ p: (latitude: Double, longitude: Double)) -> Double {
        let r = Double.pi / 180
        let c = sin(lat * r) * sin(p.latitude * r) + cos(lat * r) * cos(p.latitude * r) * cos((lon - p.longitude) * r)
        return acos(min(1, max(-1, c)))
    }
}
