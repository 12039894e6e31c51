import CubeCore
import CubeFixtures
import Foundation
import Testing

/// The inverse of a curvilinear grid's geolocation: fractional cell indices of a longitude/latitude.
struct GeolocationTests {
    /// A sheared, rotated grid: lon = 10 + 0.5·i + 0.1·j, lat = 40 − 0.05·i + 0.4·j.
    static func affine(width: Int = 30, height: Int = 20, lon0: Double = 10) throws -> Geolocation {
        var lons: [Double] = [], lats: [Double] = []
        for j in 0..<height {
            for i in 0..<width {
                lons.append(lon0 + 0.5 * Double(i) + 0.1 * Double(j))
                lats.append(40 - 0.05 * Double(i) + 0.4 * Double(j))
            }
        }
        return try Geolocation(width: width, height: height, longitudes: lons, latitudes: lats)
    }

    @Test func invertsAnAffineGridExactlyIncludingTheOuterHalfCells() throws {
        let geo = try GeolocationTests.affine()
        var generator = SplitMix64(seed: 7)
        for _ in 0..<500 {
            let i = Double(generator.next() % 10_000) / 10_000 * 30 - 0.5, j = Double(generator.next() % 10_000) / 10_000 * 20 - 0.5
            let lon = 10 + 0.5 * i + 0.1 * j, lat = 40 - 0.05 * i + 0.4 * j
            let found = geo.fractionalIndex(longitude: lon, latitude: lat)
            #expect(abs(found.column - i) < 1e-9 && abs(found.row - j) < 1e-9, "(\(i), \(j)) → \(found)")
        }
        // Beyond half a cell outside: no position.
        let outside = geo.fractionalIndex(longitude: 10 - 0.5 * 0.7, latitude: 40)
        #expect(outside.column.isNaN && outside.row.isNaN)
    }

    @Test func crossesTheAntimeridianAndLeavesHolesWhereCoordinatesAreMissing() throws {
        // Longitudes 175 … 189.5 stored as −180…180.
        var geo = try GeolocationTests.affine(lon0: 175)
        var lons = geo.longitudes.map { $0 > 180 ? $0 - 360 : $0 }
        var lats = geo.latitudes
        geo = try Geolocation(width: 30, height: 20, longitudes: lons, latitudes: lats)
        let i = 20.25, j = 3.5
        let lon = 175 + 0.5 * i + 0.1 * j - 360, lat = 40 - 0.05 * i + 0.4 * j
        let found = geo.fractionalIndex(longitude: lon, latitude: lat)
        #expect(abs(found.column - i) < 1e-9 && abs(found.row - j) < 1e-9)
        #expect(abs(geo.fractionalIndex(longitude: lon + 360, latitude: lat).column - i) < 1e-9)
        // A swath hole: cell (5, 5) without coordinates makes the four quads around it holes.
        lons[5 * 30 + 5] = .nan
        lats[5 * 30 + 5] = .nan
        geo = try Geolocation(width: 30, height: 20, longitudes: lons, latitudes: lats)
        #expect(geo.fractionalIndex(longitude: 175 + 0.5 * 5.3 + 0.1 * 5.2, latitude: 40 - 0.05 * 5.3 + 0.4 * 5.2).column.isNaN)
        #expect(!geo.fractionalIndex(longitude: 175 + 0.5 * 8.3 + 0.1 * 5.2, latitude: 40 - 0.05 * 8.3 + 0.4 * 5.2).column.isNaN)
    }

    @Test func invertsAGenuinelyCurvedGrid() throws {
        // A polar-cap-like grid: rings of latitude, longitude spokes over 0…350°.
        var lons: [Double] = [], lats: [Double] = []
        for j in 0..<10 {
            for i in 0..<36 {
                lons.append(Double(i) * 10 - 180 + Double(j))
                lats.append(60 + Double(j) * 2 + 0.1 * Double(i))
            }
        }
        let geo = try Geolocation(width: 36, height: 10, longitudes: lons, latitudes: lats)
        // Bilinear between centres: the inverse reproduces the forward interpolation.
        for (i, j) in [(3.25, 2.5), (17.9, 0.1), (34.5, 8.75)] {
            let i0 = Int(i), j0 = Int(j), u = i - Double(i0), v = j - Double(j0)
            func at(_ a: Int, _ b: Int) -> (Double, Double) { (lons[b * 36 + a], lats[b * 36 + a]) }
            let p = [at(i0, j0), at(i0 + 1, j0), at(i0, j0 + 1), at(i0 + 1, j0 + 1)]
            let lon = (1 - u) * (1 - v) * p[0].0 + u * (1 - v) * p[1].0 + (1 - u) * v * p[2].0 + u * v * p[3].0
            let lat = (1 - u) * (1 - v) * p[0].1 + u * (1 - v) * p[1].1 + (1 - u) * v * p[2].1 + u * v * p[3].1
            let found = geo.fractionalIndex(longitude: lon, latitude: lat)
            #expect(abs(found.column - i) < 1e-9 && abs(found.row - j) < 1e-9, "(\(i), \(j)) → \(found)")
        }
    }

    @Test func badArraysAreRejected() {
        #expect(throws: CubeError.self) { try Geolocation(width: 2, height: 2, longitudes: [0, 1, 2], latitudes: [0, 1, 2, 3]) }
        #expect(throws: CubeError.self) { try Geolocation(width: 2, height: 2, longitudes: [0, 1, 0, 1], latitudes: [0, 0, 91, 91]) }
    }
}
