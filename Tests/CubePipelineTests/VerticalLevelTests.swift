import CubeFixtures
import CubeGen
import Foundation
import Testing

/// Cubes with a vertical axis (`levels:`, DESIGN.md §15): the layout pieces (layers, the 4-D array
/// spec, chunk indices) and a NetCDF `plev` input run in-process, values against the truth.
@Suite(.serialized) struct VerticalLevelTests {
    private static let levelsPa: [Double] = [100_000, 85_000, 50_000, 25_000]

    /// The truth: linear in lon/lat, a step per day, strongly with the level (Pa).
    private static func truth(_ lon: Double, _ lat: Double, day: Int, pa: Double) -> Double { 180 + 0.001 * pa + 0.1 * lon + 0.2 * lat + Double(day) }

    /// ta(time, plev, lat, lon) on a 1° grid 0…20°E, 40…50°N, two days.
    private func writeInput(_ path: String) throws {
        let writer = try NetCDFWriter(path: path, format: .netCDF4)
        let lats = (0..<10).map { 49.5 - Double($0) }, lons = (0..<20).map { 0.5 + Double($0) }
        try writer.defineDimension("time", length: 2)
        try writer.defineDimension("plev", length: Self.levelsPa.count)
        try writer.defineDimension("lat", length: lats.count)
        try writer.defineDimension("lon", length: lons.count)
        for (name, attributes) in [("time", [("units", "days since 2024-01-01"), ("calendar", "standard")]),
                                   ("plev", [("units", "Pa"), ("standard_name", "air_pressure"), ("positive", "down")]),
                                   ("lat", [("units", "degrees_north"), ("standard_name", "latitude")]),
                                   ("lon", [("units", "degrees_east"), ("standard_name", "longitude")])] {
            try writer.defineVariable(name, type: .float64, dimensions: [name])
            for (key, value) in attributes { try writer.setAttribute(key, .text(value), variable: name) }
        }
        try writer.defineVariable("ta", type: .float32, dimensions: ["time", "plev", "lat", "lon"])
        try writer.setAttribute("units", .text("K"), variable: "ta")
        try writer.endDefinitions()
        try writer.write("time", [0, 1])
        try writer.write("plev", Self.levelsPa)
        try writer.write("lat", lats)
        try writer.write("lon", lons)
        var values: [Double] = []
        for day in 0..<2 {
            for pa in Self.levelsPa {
                for lat in lats { for lon in lons { values.append(Self.truth(lon, lat, day: day, pa: pa)) } }
            }
        }
        try writer.write("ta", values)
        try writer.close()
    }

    private func recipe(levels: String, chunks: String = "{time: 1, plev: 1, y: 5, x: 8}") -> String {
        """
        version: 1
        cube: {id: levels, title: Levels, license: CC0-1.0}
        grid: {crs: EPSG:4326, bbox: [0, 40, 20, 50], resolution: 1}
        sources:
          - name: nc
            store: netcdf
            paths: [ta.nc]
            levels: \(levels)
            level_units: hPa
            variables: {ta: {resampling: nearest}}
        output: {path: out.zarr, chunks: \(chunks)}
        catalog: {quicklooks: false}
        """
    }

    @Test func layersStackIntoOneFourDimensionalArray() async throws {
        let dir = try TemporaryDirectory("levels")
        defer { dir.remove() }
        try writeInput(dir.path("ta.nc"))
        let pipeline = Pipeline()
        let plan = try await pipeline.plan(try pipeline.load(recipeAt: try dir.write("r.yaml", recipe(levels: "[250, 1000, 850]"))))
        // The plan: one layer per level, in recipe order, each reading its index along plev.
        let vertical = try #require(plan.vertical)
        #expect(vertical.name == "plev" && vertical.values == [25_000, 100_000, 85_000] && vertical.labels == ["250 hPa", "1000 hPa", "850 hPa"])
        #expect(plan.variables.map(\.name) == ["ta@250hPa", "ta@1000hPa", "ta@850hPa"])
        #expect(plan.variables.map { $0.sourceLevel?.index } == [3, 0, 1])
        #expect(plan.outputArrays.count == 1 && plan.outputArrays[0].name == "ta" && plan.outputArrays[0].layers == [0, 1, 2])
        #expect(plan.arrayIndex(plan.variables[2], [1, 0, 2]) == [1, 2, 0, 2])
        _ = try await pipeline.run(plan, options: RunOptions(workers: 2))
        let cube = CubeReader(path: dir.path("out.zarr"))
        let zarray = try await cube.document("ta/.zarray")
        #expect(zarray["shape"]?.arrayValue?.compactMap(\.intValue) == [2, 3, 10, 20])
        #expect(zarray["chunks"]?.arrayValue?.compactMap(\.intValue) == [1, 1, 5, 8])
        let attrs = try await cube.document("ta/.zattrs")
        #expect(attrs["_ARRAY_DIMENSIONS"]?.arrayValue?.compactMap(\.stringValue) == ["time", "plev", "lat", "lon"])
        let plev = try await cube.read("plev")
        #expect(plev.values == [25_000, 100_000, 85_000])
        let plevAttrs = try await cube.document("plev/.zattrs")
        #expect(plevAttrs["positive"]?.stringValue == "down" && plevAttrs["axis"]?.stringValue == "Z" && plevAttrs["units"]?.stringValue == "Pa")
        let ta = try await cube.read("ta")
        let lat = try await cube.read("lat").values, lon = try await cube.read("lon").values
        for day in 0..<2 {
            for (k, pa) in vertical.values.enumerated() {
                for (j, y) in lat.enumerated() {
                    for (i, x) in lon.enumerated() {
                        let got = ta.values[((day * 3 + k) * lat.count + j) * lon.count + i]
                        #expect(abs(got - Self.truth(x, y, day: day, pa: pa)) < 1e-3, "day \(day) level \(pa) (\(x), \(y))")
                    }
                }
            }
        }
        // The lineage records every layer's empty chunks at its level (none here) and the axis.
        let lineage = try await cube.document("lineage.json")
        let grid = lineage["variables"]?.arrayValue?.first?["source"]?["grid"]
        #expect(grid?["vertical"]?["levels"]?.arrayValue?.compactMap { $0["index"]?.intValue } == [3, 0, 1])
    }

    @Test(arguments: [
        ("[850, 700]", "{time: 1, y: 5, x: 8}", "no level 700 hPa along 'plev'; it holds 100000, 85000, 50000, 25000 Pa"),
        ("[850]", "{time: 1, plev: 0}", "chunk sizes must be at least 1"),
    ])
    func badLevelsAreRecipeErrors(levels: String, chunks: String, says: String) async throws {
        let dir = try TemporaryDirectory("levels-bad")
        defer { dir.remove() }
        try writeInput(dir.path("ta.nc"))
        let pipeline = Pipeline()
        await #expect {
            _ = try await pipeline.plan(try pipeline.load(recipeAt: try dir.write("r.yaml", recipe(levels: levels, chunks: chunks))))
        } throws: { error in
            "\(error)".contains(says)
        }
        #expect(!FileManager.default.fileExists(atPath: dir.path("out.zarr")))
    }

    @Test func verticalCoordinatesFromGRIBAndCF() {
        let pressure = VerticalCoordinate(gribTypeOfLevel: "isobaricInhPa")
        #expect(pressure?.name == "plev" && pressure?.sourceUnits == "hPa" && pressure?.units == "Pa")
        #expect(VerticalCoordinate(gribTypeOfLevel: "hybrid")?.name == "lev")
        #expect(VerticalCoordinate(gribTypeOfLevel: "heightAboveGround")?.attributes[named: "positive"]?.text == "up")
        #expect(VerticalCoordinate(gribTypeOfLevel: "surface") == nil)
        #expect(VerticalCoordinate(cfAttributes: [Attribute("units", .text("hPa"))])?.sourceUnits == "hPa")
        #expect(VerticalCoordinate(cfAttributes: [Attribute("standard_name", .text("depth")), Attribute("units", .text("m"))])?.name == "depth")
        #expect(VerticalCoordinate(cfAttributes: [Attribute("units", .text("K"))]) == nil)
        #expect(VerticalCoordinate.convert(850, from: "hPa", to: "Pa") == 85_000)
        #expect(VerticalCoordinate.convert(1, from: "m", to: "Pa") == nil)
        #expect(VerticalCoordinate.format(850) == "850" && VerticalCoordinate.format(0.5) == "0.5")
    }
}
