import CubeCore
import CubeResampling
import Foundation
import Testing

/// The cell-grid geometry area methods rely on: integrating every cell's cross-sections strip by
/// strip over the whole sphere gives its true area (HEALPix `4π/N`; reduced Gaussian
/// `2π·w_row/points_in_row`) — the exactness claim of `CellLayout.integrationNode` — and the
/// cross-sections along a parallel tile the longitude range.
@Suite struct CellLayoutTests {
    /// Each cell's area by the strip rule over the globe.
    private func integratedAreas(_ layout: CellLayout) -> [Double] {
        var areas = [Double](repeating: 0, count: layout.count)
        let breaks = layout.stripBreaks(low: -1, high: 1)
        var pieces: [(cell: Int, length: Double)] = []
        for s in 0..<(breaks.count - 1) {
            let dz = breaks[s + 1] - breaks[s]
            pieces.removeAll()
            layout.crossings(z: layout.integrationNode(low: breaks[s], high: breaks[s + 1]), west: 0, east: 2 * .pi, into: &pieces)
            for piece in pieces { areas[piece.cell] += piece.length * dz }
        }
        return areas
    }

    @Test(arguments: [(1, true), (2, false), (8, true), (8, false), (64, true), (64, false), (256, true)])
    func everyHEALPixCellIntegratesToItsArea(nside: Int, nested: Bool) throws {
        let layout = try CellLayout.of(.healpix(nside: nside, nested: nested))
        let areas = integratedAreas(layout)
        let exact = 4 * Double.pi / Double(12 * nside * nside)
        let worst = areas.map { abs($0 / exact - 1) }.max()!
        #expect(worst < 1e-9, "Nside \(nside) \(nested ? "nested" : "ring"): worst relative area error \(worst)")
    }

    @Test(arguments: [8, 32, 80])
    func everyOctahedralCellIntegratesToItsGaussianArea(n: Int) throws {
        let rows = (1...n).map { 4 * $0 + 16 }
        let layout = try CellLayout.of(.reducedGaussian(n: n, pointsPerRow: rows + rows.reversed()))
        let areas = integratedAreas(layout)
        let total: Double = areas.reduce(0, +)
        let sphere: Double = 4 * Double.pi
        #expect(abs(total / sphere - 1) < 1e-12)
        // Row r's cells share its band equally: 2π·(z_top − z_bottom)/points.
        var first = 0, worst = 0.0
        for count in rows + rows.reversed() {
            let band = areas[first..<(first + count)]
            let mean = band.reduce(0, +) / Double(count)
            worst = max(worst, band.map { abs($0 / mean - 1) }.max()!)
            first += count
        }
        #expect(worst < 1e-9, "O\(n): cells of one row differ by \(worst)")
    }

    @Test func crossingsTileTheLongitudeRangeAndChangeCellExactlyAtTheirBreaks() throws {
        let layout = try CellLayout.of(.healpix(nside: 16, nested: true))
        for z in [-0.999, -0.8, -0.5, 0, 0.3, 2.0 / 3.0 + 1e-3, 0.95] {
            var pieces: [(cell: Int, length: Double)] = []
            let west = -0.7, east = 1.9
            layout.crossings(z: z, west: west, east: east, into: &pieces)
            #expect(abs(pieces.map(\.length).reduce(0, +) - (east - west)) < 1e-12)
            // Just inside both ends of every piece lies the piece's cell: the breaks are where the
            // cells change, none is missed.
            var start = west
            let latitude = asin(z) * 180 / .pi
            for piece in pieces {
                let inset = min(1e-9, piece.length / 4)
                for position in [start + inset, start + piece.length - inset] {
                    #expect(layout.nearest(longitude: position * 180 / .pi, latitude: latitude) == piece.cell, "z \(z) at \(position)")
                }
                start += piece.length
            }
        }
    }
}
