import CubeCore
import CubeFixtures
import CubeProjection
import Testing

@Suite struct ProjectionTests {
    private func transform(_ from: String, _ to: String, _ points: [(Double, Double)]) throws -> [(Double, Double)] {
        let t = try PROJTransform(from: CRSDefinition(from), to: CRSDefinition(to))
        var xs = points.map(\.0), ys = points.map(\.1)
        xs.withUnsafeMutableBufferPointer { x in ys.withUnsafeMutableBufferPointer { y in t.transform(x: x, y: y) } }
        return Array(zip(xs, ys))
    }

    @Test func laeaOriginAndAxisOrder() throws {
        // The LAEA Europe origin (10°E, 52°N) maps to the false easting/northing; x is easting.
        let p = try transform("EPSG:4326", "EPSG:3035", [(10, 52)])[0]
        #expect(abs(p.0 - 4_321_000) < 1e-6 && abs(p.1 - 3_210_000) < 1e-6)
        let back = try transform("EPSG:3035", "EPSG:4326", [(4_321_000, 3_210_000)])[0]
        #expect(abs(back.0 - 10) < 1e-9 && abs(back.1 - 52) < 1e-9)
    }

    @Test func roundTripsThroughSeveralProjections() throws {
        let points = [(-3.7, 40.4), (2.35, 48.85), (24.9, 60.2), (12.5, 41.9)]
        for crs in ["EPSG:3035", "EPSG:32633", "EPSG:3857", "+proj=lcc +lat_1=30 +lat_2=60 +lon_0=10 +datum=WGS84 +units=m +type=crs"] {
            let projected = try transform("EPSG:4326", crs, points)
            let back = try transform(crs, "EPSG:4326", projected)
            for (a, b) in zip(points, back) { #expect(abs(a.0 - b.0) < 1e-8 && abs(a.1 - b.1) < 1e-8, "\(crs)") }
        }
    }

    @Test func copiesTransformLikeTheirOriginals() throws {
        // Includes a datum shift with several candidate operations (ETRS89 / NAD27 areas) and a
        // pipeline string; a copy must pick the same operation per point as its original.
        var generator = SplitMix64(seed: 5)
        let points = (0..<200).map { _ in (Double(generator.next() % 3600) / 10 - 180, Double(generator.next() % 1700) / 10 - 85) }
        for (from, to) in [("EPSG:4326", "EPSG:3035"), ("EPSG:4326", "EPSG:32633"), ("EPSG:4267", "EPSG:4326"),
                           ("EPSG:4326", "+proj=lcc +lat_1=30 +lat_2=60 +lon_0=10 +datum=WGS84 +units=m +type=crs")] {
            let original = try PROJTransform(from: CRSDefinition(from), to: CRSDefinition(to))
            let copy = try original.copy()
            var xs = points.map(\.0), ys = points.map(\.1), cx = xs, cy = ys
            xs.withUnsafeMutableBufferPointer { x in ys.withUnsafeMutableBufferPointer { y in original.transform(x: x, y: y) } }
            cx.withUnsafeMutableBufferPointer { x in cy.withUnsafeMutableBufferPointer { y in copy.transform(x: x, y: y) } }
            let same = zip(zip(xs, ys), zip(cx, cy)).allSatisfy { a, b in
                (a.0.bitPattern == b.0.bitPattern || (a.0.isNaN && b.0.isNaN)) && (a.1.bitPattern == b.1.bitPattern || (a.1.isNaN && b.1.isNaN))
            }
            #expect(same, "\(from) → \(to)")
            #expect(xs.contains { !$0.isNaN }, "\(from) → \(to)")
        }
    }

    @Test func describesCRSsWithCFAttributes() throws {
        let laea = try CRSDescription(CRSDefinition("EPSG:3035"))
        #expect(!laea.isGeographic)
        #expect(laea.epsgCode == 3035)
        let attributes = laea.cfAttributes
        #expect(attributes[named: "grid_mapping_name"] == .text("lambert_azimuthal_equal_area"))
        #expect(attributes[named: "latitude_of_projection_origin"]?.number == 52)
        #expect(attributes[named: "longitude_of_projection_origin"]?.number == 10)
        #expect(attributes[named: "false_easting"]?.number == 4_321_000)
        #expect(abs((attributes[named: "inverse_flattening"]?.number ?? 0) - 298.257222101) < 1e-6)
        #expect(attributes[named: "crs_wkt"]?.text?.hasPrefix("PROJCRS[\"ETRS89-extended / LAEA Europe\"") == true)

        let utm = try CRSDescription(CRSDefinition("EPSG:32633"))
        #expect(utm.cfAttributes[named: "grid_mapping_name"] == .text("transverse_mercator"))
        #expect(utm.cfAttributes[named: "longitude_of_central_meridian"]?.number == 15)
        #expect(utm.cfAttributes[named: "scale_factor_at_central_meridian"]?.number == 0.9996)

        let polar = try CRSDescription(CRSDefinition("EPSG:3413"))
        #expect(polar.cfAttributes[named: "grid_mapping_name"] == .text("polar_stereographic"))
        #expect(polar.cfAttributes[named: "straight_vertical_longitude_from_pole"]?.number == -45)
        #expect(polar.cfAttributes[named: "standard_parallel"]?.number == 70)

        let wgs84 = try CRSDescription(.wgs84)
        #expect(wgs84.isGeographic)
        #expect(wgs84.cfAttributes[named: "grid_mapping_name"] == .text("latitude_longitude"))
    }

    @Test func unknownCRSIsAClearError() {
        do {
            _ = try CRSDescription(CRSDefinition("EPSG:999999"))
            Issue.record("expected an error")
        } catch let error as CubeError {
            #expect(error.code == .projection)
            #expect(error.message.contains("EPSG:999999"))
        } catch {
            Issue.record("unexpected \(error)")
        }
    }
}
