@testable import CubePipeline
import Testing

/// The longitude/latitude box a regional target reaches on a cell grid (`CellReach.box`):
/// around its samples, across the antimeridian, every longitude near a pole or all around.
@Suite struct CellReachTests {
    /// A `width × height` sample of longitudes and latitudes on a regular lon/lat lattice.
    private func lattice(lon: ClosedRange<Double>, lat: ClosedRange<Double>, width: Int = 9, height: Int = 7) -> ([Double], [Double]) {
        var lons: [Double] = [], lats: [Double] = []
        for r in 0..<height {
            for c in 0..<width {
                lons.append(lon.lowerBound + (lon.upperBound - lon.lowerBound) * Double(c) / Double(width - 1))
                lats.append(lat.upperBound - (lat.upperBound - lat.lowerBound) * Double(r) / Double(height - 1))
            }
        }
        return (lons, lats)
    }

    @Test func aRegionalSampleGetsItsBoxWidenedByTheSampleStepAndThreeCells() throws {
        let (lons, lats) = lattice(lon: -16...48, lat: 30...72)
        let box = try #require(CellReach.box(longitudes: lons, latitudes: lats, width: 9, height: 7, cellWidth: 0.1))
        // Steps: 8° of longitude, 7° of latitude; widened by 1.5 steps and three cells (0.3° of
        // latitude; of longitude at 72° + the margin, more).
        #expect(abs(box.south - (30 - 10.5 - 0.3)) < 1e-9 && abs(box.north - (72 + 10.5 + 0.3)) < 1e-9)
        #expect(box.west < -16 - 12 && box.west > -16 - 15 && box.east > 48 + 12 && box.east < 48 + 15)
    }

    @Test func aSampleAcrossTheAntimeridianKeepsItsShortSide() throws {
        var (lons, lats) = lattice(lon: 170...190, lat: -40...(-20))
        lons = lons.map { $0 > 180 ? $0 - 360 : $0 }
        let box = try #require(CellReach.box(longitudes: lons, latitudes: lats, width: 9, height: 7, cellWidth: 0.1))
        #expect(box.west > 160 && box.west < 170)
        #expect(box.east > -170 && box.east < -160)
    }

    @Test func nearAPoleOrAllAroundEveryLongitudeIsReached() throws {
        let (polar, polarLats) = lattice(lon: 0...350, lat: 70...84)
        let box = try #require(CellReach.box(longitudes: polar, latitudes: polarLats, width: 9, height: 7, cellWidth: 0.1))
        #expect(box.west == -180 && box.east == 180 && box.north == 90)
        let (band, bandLats) = lattice(lon: -180...175, lat: -10...10, width: 72, height: 5)
        let around = try #require(CellReach.box(longitudes: band, latitudes: bandLats, width: 72, height: 5, cellWidth: 0.1))
        #expect(around.east - around.west >= 360)
        #expect(CellReach.box(longitudes: [.nan], latitudes: [.nan], width: 1, height: 1, cellWidth: 0.1) == nil)
    }
}
