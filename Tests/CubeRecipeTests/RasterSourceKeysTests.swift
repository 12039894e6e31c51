import CubeCore
import CubeRecipe
import Foundation
import Testing

/// The source keys for rasters without a time axis: `bands`, `time_from_name`, `times`,
/// `mosaic`, `allow_mixed_crs`, and the file-name date patterns.
@Suite struct RasterSourceKeysTests {
    private func recipe(_ sourceKeys: String) -> (Recipe?, [Diagnostic]) {
        let text = """
            version: 1
            cube: {id: c, title: t, license: CC0-1.0}
            grid: {crs: EPSG:4326, bbox: [0, 0, 10, 10], resolution: 1}
            sources:
              - name: s2
                store: geotiff
                paths: [tiles/*.tif]
            \(sourceKeys.split(separator: "\n").map { "    " + $0 }.joined(separator: "\n"))
                variables:
                  red: {resampling: bilinear}
            output: {path: out.zarr}
            """
        return RecipeParser.parse(text, fileURL: URL(fileURLWithPath: "/r/r.yaml"), displayName: "r.yaml")
    }

    @Test func keysParseWithTheirDefaults() throws {
        let plain = try #require(recipe("").0?.sources[0])
        #expect(plain.bands.isEmpty && plain.timeFromName == nil && plain.times.isEmpty)
        #expect(plain.mosaic == .first && !plain.allowMixedCRS)
        let given = try #require(recipe("bands: {1: red, 4: nir}\ntime_from_name: \"S2_{date:%Y%m%d}_*.tif\"\nmosaic: max\nallow_mixed_crs: true").0?.sources[0])
        #expect(given.bands == [1: "red", 4: "nir"])
        #expect(given.timeFromName?.pattern == "S2_{date:%Y%m%d}_*.tif")
        #expect(given.mosaic == .max && given.allowMixedCRS)
        let listed = try #require(recipe("times: [2024-06-01, 2024-06-11]").0?.sources[0])
        #expect(listed.times == [CalendarDate(year: 2024, month: 6, day: 1), CalendarDate(year: 2024, month: 6, day: 11)])
    }

    @Test(arguments: [
        ("bands: {red: 1}", "sources[0].bands.red"),
        ("bands: {1: red, 2: red}", "sources[0].bands.2"),
        ("time_from_name: \"S2_{date:%Y}.tif\"", "sources[0].time_from_name"),
        ("time_from_name: \"S2_{date:%Y%q}.tif\"", "sources[0].time_from_name"),
        ("times: [June]", "sources[0].times[0]"),
        ("times: []", "sources[0].times"),
        ("time_from_name: \"{date:%Y%m%d}.tif\"\ntimes: [2024-01-01]", "sources[0].times"),
        ("mosaic: median", "sources[0].mosaic"),
        ("allow_mixed_crs: maybe", "sources[0].allow_mixed_crs"),
    ])
    func badValuesNameTheirKey(keys: String, key: String) {
        let errors = recipe(keys).1.filter { $0.severity == .error }
        #expect(errors.contains { $0.key == key }, "\(errors.map(\.description))")
    }

    @Test(arguments: [
        ("S2_NDVI_{date:%Y%m%d}.tif", "/data/S2_NDVI_20240615.tif", CalendarDate(year: 2024, month: 6, day: 15)),
        ("S2_{date:%Y%m%d}_*.tif", "S2_20240229_T32TNS.tif", CalendarDate(year: 2024, month: 2, day: 29)),
        ("MOD_A{date:%Y%j}.?.tif", "MOD_A2024032.h.tif", CalendarDate(year: 2024, month: 2, day: 1)),
        ("x_{date:%Y-%m-%dT%H%M}.tif", "x_2020-12-31T2330.tif", CalendarDate(year: 2020, month: 12, day: 31, secondOfDay: 84600)),
    ])
    func fileNamesGiveTheirDate(pattern: String, name: String, date: CalendarDate) throws {
        #expect(try FileNameDate(pattern).date(in: name) == date)
    }

    @Test func namesThatDoNotMatchOrNameNoDateGiveNil() throws {
        let pattern = try FileNameDate("S2_{date:%Y%m%d}.tif")
        #expect(pattern.date(in: "S2_20240615.TIF") == nil)
        #expect(pattern.date(in: "S2_2024061.tif") == nil)
        #expect(pattern.date(in: "S2_20230229.tif") == nil)
        #expect(pattern.date(in: "L8_20240615.tif") == nil)
    }
}
