import CubeCore
import CubeFixtures
import CubeSamples
import CubeStoreNetCDF
import Testing

@Suite(.serialized) struct NetCDFStoreTests {
    let store = NetCDFStore()

    @Test(arguments: [
        (NetCDFWriter.Format.netCDF4, ["time", "y", "x"], false, false),
        (.classic, ["time", "y", "x"], true, false),
        (.offset64, ["time", "x", "y"], false, true),
        (.netCDF4, ["y", "x", "time"], true, true),
    ])
    func describesAndReadsAnyLayout(format: NetCDFWriter.Format, order: [String], ascending: Bool, lon360: Bool) async throws {
        let dir = try TemporaryDirectory("nc")
        defer { dir.remove() }
        let path = dir.path("in.nc")
        try LinearFields.dataset(resolution: 2, days: [7305, 7306], latitudeAscending: ascending, longitude360: lon360,
                                 dimensionOrder: order, format: format).write(to: path)
        let d = try await store.describe(path: path)
        #expect(d.grid.isGeographic)
        #expect(d.grid.width == 180 && d.grid.height == 90)
        #expect(d.grid.wrapsLongitude)
        #expect(d.dates == [CalendarDate(year: 2020, month: 1, day: 1), CalendarDate(year: 2020, month: 1, day: 2)])
        #expect(d.variables.map(\.name) == ["tas", "wet", "pk"])
        let reader = try await store.open(path: path)
        let window = PixelWindow(rows: 10..<14, columns: 100..<103)
        for variable in ["tas", "wet", "pk"] {
            let values = try await reader.read(variable, timeIndex: 1, window: window)
            #expect(values.count == 12)
            for (r, row) in window.rows.enumerated() {
                for (c, column) in window.columns.enumerated() {
                    let lon = d.grid.x.values[column] > 180 ? d.grid.x.values[column] - 360 : d.grid.x.values[column]
                    let lat = d.grid.y.values[row]
                    let v = values[r * 3 + c]
                    switch variable {
                    case "tas": #expect(abs(Double(v) - LinearFields.temperature(lon, lat, 7306)) < 1e-3)
                    case "wet":
                        if let expected = LinearFields.masked(lon, lat, 7306) { #expect(abs(Double(v) - expected) < 1e-4) } else { #expect(v.isNaN) }
                    default: #expect(abs(Double(v) - LinearFields.packed(lon, lat, 7306)!) <= 5e-4 + 1e-6)
                    }
                }
            }
        }
    }

    @Test func masksFillAndValidRangeAndMissingValue() async throws {
        let dir = try TemporaryDirectory("nc")
        defer { dir.remove() }
        let path = dir.path("mask.nc")
        let sample = SampleDataset(
            x: [0.5, 1.5, 2.5, 3.5], y: [0.5], geographic: true, times: [0], timeUnits: "days since 2000-01-01",
            variables: [.init(name: "v", dataType: .int16, attributes: [
                Attribute("_FillValue", .integers([-1])), Attribute("missing_value", .integers([-2])),
                Attribute("valid_range", .integers([0, 100])), Attribute("scale_factor", .reals([0.5])), Attribute("add_offset", .reals([10]))]) {
                    x, _, _ in [0.5: nil, 1.5: 9.0, 2.5: 70.0, 3.5: 30.0][x]!  // 9.0 → packed -2 (missing), 70 → 120 (> valid max)
                }])
        try sample.write(to: path)
        let values = try await store.open(path: path).read("v", timeIndex: 0, window: PixelWindow(rows: 0..<1, columns: 0..<4))
        #expect(values[0].isNaN && values[1].isNaN && values[2].isNaN)
        #expect(values[3] == 30)
    }

    @Test(arguments: ["standard", "proleptic_gregorian", "julian", "noleap", "365_day", "all_leap", "366_day", "360_day"])
    func decodesEveryCalendar(calendar: String) async throws {
        let dir = try TemporaryDirectory("nc")
        defer { dir.remove() }
        let path = dir.path("cal.nc")
        try LinearFields.dataset(resolution: 10, days: [59, 60], calendar: calendar).write(to: path)
        let d = try await store.describe(path: path)
        let cal = try #require(CFCalendar(cfName: calendar))
        #expect(d.timeUnits?.calendar == cal)
        let expected: (Int, Int) = switch cal {
        case .noleap: (3, 1)            // 2000-03-01, 03-02
        case .day360: (2, 30)           // 2000-02-30, 03-01
        default: (2, 29)                // 2000-02-29, 03-01
        }
        #expect(d.dates[0].month == expected.0 && d.dates[0].day == expected.1)
    }

    @Test func findsAxesByCFAttributesNotNames() async throws {
        let dir = try TemporaryDirectory("nc")
        defer { dir.remove() }
        let path = dir.path("proj.nc")
        let writer = try NetCDFWriter(path: path, format: .classic)
        try writer.defineDimension("t", length: 1)
        try writer.defineDimension("row", length: 2)
        try writer.defineDimension("col", length: 3)
        try writer.defineVariable("t", type: .float64, dimensions: ["t"])
        try writer.setAttribute("units", .text("hours since 2010-01-01 00:00"), variable: "t")
        try writer.setAttribute("calendar", .text("gregorian"), variable: "t")
        try writer.defineVariable("row", type: .float64, dimensions: ["row"])
        try writer.setAttribute("standard_name", .text("projection_y_coordinate"), variable: "row")
        try writer.setAttribute("units", .text("km"), variable: "row")
        try writer.defineVariable("col", type: .float64, dimensions: ["col"])
        try writer.setAttribute("axis", .text("X"), variable: "col")
        try writer.setAttribute("units", .text("km"), variable: "col")
        try writer.defineVariable("lambert", type: .int32, dimensions: [])
        for (name, value) in [("grid_mapping_name", AttributeValue.text("lambert_azimuthal_equal_area")),
                              ("longitude_of_projection_origin", .reals([10])), ("latitude_of_projection_origin", .reals([52])),
                              ("false_easting", .reals([4_321_000])), ("false_northing", .reals([3_210_000]))] {
            try writer.setAttribute(name, value, variable: "lambert")
        }
        try writer.defineVariable("field", type: .float64, dimensions: ["t", "row", "col"])
        try writer.setAttribute("grid_mapping", .text("lambert"), variable: "field")
        try writer.endDefinitions()
        try writer.write("t", [6])
        try writer.write("row", [3000, 3010])
        try writer.write("col", [4000, 4010, 4020])
        try writer.write("field", [1, 2, 3, 4, 5, 6])
        try writer.close()
        let d = try await store.describe(path: path)
        #expect(!d.grid.isGeographic)
        #expect(d.spatialDimensions == ("col", "row"))
        #expect(d.grid.x.values == [4_000_000, 4_010_000, 4_020_000])
        #expect(d.grid.crs.text.hasPrefix("+proj=laea +lon_0=10.0 +lat_0=52.0"))
        #expect(d.dates == [CalendarDate(year: 2010, month: 1, day: 1, secondOfDay: 21600)])
        let values = try await store.open(path: path).read("field", timeIndex: 0, window: PixelWindow(rows: 1..<2, columns: 0..<3))
        #expect(values == [4, 5, 6])
    }

    @Test func errorsNameTheFile() async throws {
        await #expect(throws: CubeError.self) { try await store.describe(path: "/nonexistent/x.nc") }
        let dir = try TemporaryDirectory("nc")
        defer { dir.remove() }
        let notNetCDF = try dir.write("text.nc", "hello")
        do {
            _ = try await store.describe(path: notNetCDF)
            Issue.record("expected an error")
        } catch let error as CubeError {
            #expect(error.message.contains(notNetCDF))
        }
    }
}
