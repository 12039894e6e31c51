import CubeCore
import Testing

@Suite struct GeoTests {
    @Test func regularAxesInBothDirections() throws {
        let descending = try AxisCoordinates([89.875, 89.625, 89.375, 89.125])
        #expect(descending.regular?.step == -0.25)
        #expect(descending.fractionalIndex(89.5) == 1.5)
        #expect(descending.outerEdges == (90, 89))
        let ascending = try AxisCoordinates(SampleAxis.make(-179.5, 1, 360))
        #expect(ascending.fractionalIndex(0) == 179.5)
    }

    @Test func irregularAxesInterpolate() throws {
        let axis = try AxisCoordinates([0, 1, 3, 7])
        #expect(axis.regular == nil)
        #expect(axis.fractionalIndex(2) == 1.5)
        #expect(axis.fractionalIndex(5) == 2.5)
        #expect(axis.fractionalIndex(-0.5) == -0.5)
        #expect(axis.fractionalIndex(9) == 3.5)
        let down = try AxisCoordinates([7, 3, 1, 0])
        #expect(down.fractionalIndex(2) == 1.5)
    }

    @Test func axesMustBeMonotonic() {
        #expect(throws: CubeError.self) { try AxisCoordinates([0, 1, 1, 2]) }
        #expect(throws: CubeError.self) { try AxisCoordinates([0, 2, 1]) }
        #expect(throws: CubeError.self) { try AxisCoordinates([]) }
    }

    @Test func gridCentresAndBounds() {
        let grid = RegularGrid(crs: CRSDefinition("EPSG:3035"), isGeographic: false, xMin: 2_500_000, yMin: 1_400_000, xResolution: 5000,
                               yResolution: 5000, width: 1000, height: 820, yAxis: .descending)
        #expect(grid.xCenter(0) == 2_502_500)
        #expect(grid.yCenter(0) == 5_497_500)
        #expect(grid.yCenter(819) == 1_402_500)
        #expect(grid.yBounds(0) == (5_500_000, 5_495_000))
        var up = grid
        up.yAxis = .ascending
        #expect(up.yCenter(0) == 1_402_500)
    }

    @Test func globalLongitudeGridsWrap() throws {
        let global = SourceGrid(crs: .wgs84, isGeographic: true, x: try AxisCoordinates(SampleAxis.make(0.5, 1, 360)),
                                y: try AxisCoordinates(SampleAxis.make(-89.5, 1, 180)))
        #expect(global.wrapsLongitude)
        #expect(global.longitudeWestEdge == 0)
        let regional = SourceGrid(crs: .wgs84, isGeographic: true, x: try AxisCoordinates(SampleAxis.make(0.5, 1, 100)),
                                  y: try AxisCoordinates(SampleAxis.make(-89.5, 1, 180)))
        #expect(!regional.wrapsLongitude)
    }

    @Test func packingDecodesMasksAndScales() {
        let packing = CFPacking(attributes: [
            Attribute("_FillValue", .integers([-32768])), Attribute("missing_value", .integers([-999])),
            Attribute("valid_range", .integers([-2000, 10000])), Attribute("scale_factor", .reals([1e-4])),
            Attribute("add_offset", .reals([0.5]))])
        var values: [Float] = [-32768, -999, -2001, 10001, 5000, -2000]
        values.withUnsafeMutableBufferPointer { packing.decode($0) }
        #expect(values[0].isNaN && values[1].isNaN && values[2].isNaN && values[3].isNaN)
        #expect(abs(values[4] - 1.0) < 1e-6)
        #expect(abs(values[5] - 0.3) < 1e-6)
        #expect(CFPacking(attributes: []).isIdentity)
        let minOnly = CFPacking(attributes: [Attribute("valid_min", .reals([0]))])
        var v: [Float] = [-1, 1]
        v.withUnsafeMutableBufferPointer { minOnly.decode($0) }
        #expect(v[0].isNaN && v[1] == 1)
    }

    @Test func cfGridMappingsBecomeProjStrings() {
        let laea = CFGridMapping.projString(from: [
            Attribute("grid_mapping_name", .text("lambert_azimuthal_equal_area")),
            Attribute("longitude_of_projection_origin", .reals([10])), Attribute("latitude_of_projection_origin", .reals([52])),
            Attribute("false_easting", .reals([4_321_000])), Attribute("false_northing", .reals([3_210_000])),
            Attribute("semi_major_axis", .reals([6_378_137])), Attribute("inverse_flattening", .reals([298.257222101]))])
        #expect(laea == "+proj=laea +lon_0=10.0 +lat_0=52.0 +x_0=4321000.0 +y_0=3210000.0 +a=6378137.0 +rf=298.257222101 +units=m +no_defs +type=crs")
        let lcc = CFGridMapping.projString(from: [
            Attribute("grid_mapping_name", .text("lambert_conformal_conic")), Attribute("standard_parallel", .reals([30, 60]))])
        #expect(lcc?.contains("+lat_1=30.0 +lat_2=60.0") == true)
        #expect(CFGridMapping.projString(from: [Attribute("grid_mapping_name", .text("unknown"))]) == nil)
    }
}

enum SampleAxis {
    static func make(_ start: Double, _ step: Double, _ count: Int) -> [Double] { (0..<count).map { start + Double($0) * step } }
}
