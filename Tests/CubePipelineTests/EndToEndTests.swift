import CubeFixtures
import CubeGen
import CubeSamples
import Foundation
import Testing

/// Writes inputs with analytic fields, runs recipes in-process and checks the cubes' values
/// against the computed truth.
@Suite(.serialized) struct EndToEndTests {
    /// Two files of a global 1° daily product, days 7305…7309 (2020-01-01…05), in reverse name order.
    private func writeInputs(_ dir: TemporaryDirectory) throws {
        try LinearFields.dataset(resolution: 1, days: [7308, 7309]).write(to: dir.path("a_later.nc"))
        try LinearFields.dataset(resolution: 1, days: [7305, 7306, 7307]).write(to: dir.path("b_earlier.nc"))
    }

    private func recipe(grid: String, variables: String = "tas: {}\n      wet: {}\n      pk: {}", time: String = "",
                        chunks: String = "{time: 2, y: 16, x: 16}", extra: String = "") -> String {
        """
        version: 1
        cube: {id: test-cube, title: Test, license: CC0-1.0}
        grid:
        \(grid)
        \(time)
        sources:
          - name: src
            store: netcdf
            paths: ["*.nc"]
            variables:
              \(variables)
        output:
          path: out.zarr
          chunks: \(chunks)
          compressor: {id: blosc, cname: zstd, clevel: 3, shuffle: bitshuffle}
        \(extra)
        """
    }

    private func run(_ dir: TemporaryDirectory, _ text: String, workers: Int = 2, overwrite: Bool = false,
                     output: String = "out.zarr") async throws -> CubePlan {
        let path = try dir.write("recipe.yaml", text.replacingOccurrences(of: "path: out.zarr", with: "path: \(output)"))
        let pipeline = Pipeline()
        let plan = try await pipeline.plan(try pipeline.load(recipeAt: path))
        _ = try await pipeline.run(plan, options: RunOptions(workers: workers, overwrite: overwrite))
        return plan
    }

    @Test func geographicToGeographicMatchesTheTruth() async throws {
        let dir = try TemporaryDirectory("e2e")
        defer { dir.remove() }
        try writeInputs(dir)
        let plan = try await run(dir, recipe(grid: "  crs: EPSG:4326\n  bbox: [-20, 10, 40, 40]\n  resolution: 0.5",
                                             time: "time: {start: 2020-01-02, end: 2020-01-04}"))
        #expect(plan.grid.width == 120 && plan.grid.height == 60)
        let cube = CubeReader(path: dir.path("out.zarr"))
        let time = try await cube.read("time")
        #expect(time.values == [7306, 7307, 7308])
        let lat = try await cube.read("lat").values, lon = try await cube.read("lon").values
        #expect(lat.first == 39.75)
        #expect(lat.last == 10.25)
        #expect(lon.first == -19.75)
        let tas = try await cube.read("tas"), wet = try await cube.read("wet"), pk = try await cube.read("pk")
        #expect(tas.shape == [3, 60, 120])
        var checkedMixed = 0
        for (k, t) in time.values.enumerated() {
            for (j, y) in lat.enumerated() {
                for (i, x) in lon.enumerated() {
                    let index = (k * 60 + j) * 120 + i
                    #expect(abs(tas.values[index] - LinearFields.temperature(x, y, t)) < 1e-3)
                    #expect(abs(pk.values[index] - LinearFields.packed(x, y, t)!) < 6e-4)
                    // Source rows around y: centres at floor(y - 0.5) + 0.5 and that + 1.
                    let below = (y - 0.5).rounded(.down) + 0.5, above = below + 1
                    let seaBelow = LinearFields.isSea(x, below), seaAbove = LinearFields.isSea(x, above)
                    let got = wet.values[index]
                    switch (seaBelow, seaAbove) {
                    case (true, true): #expect(got.isNaN, "all neighbours sea at \(x), \(y)")
                    case (false, false): #expect(abs(got - LinearFields.masked(x, y, t)!) < 1e-4)
                    case (false, true):
                        checkedMixed += 1
                        #expect(abs(got - LinearFields.masked(x, below, t)!) < 1e-4, "renormalised to the land row")
                    case (true, false): #expect(abs(got - LinearFields.masked(x, above, t)!) < 1e-4)
                    }
                }
            }
        }
        #expect(checkedMixed > 0)
    }

    @Test func geographicToLAEAMatchesTheTruth() async throws {
        let dir = try TemporaryDirectory("e2e")
        defer { dir.remove() }
        try writeInputs(dir)
        _ = try await run(dir, recipe(
            grid: "  crs: EPSG:3035\n  bbox: [3500000, 2500000, 4500000, 3500000]\n  resolution: 20000",
            variables: "tas: {}\n      pk: {resampling: nearest}\n      wet: {name: packed_wet, dtype: int16, scale_factor: 0.001, add_offset: 1, fill_value: -32768}"))
        let cube = CubeReader(path: dir.path("out.zarr"))
        let x = try await cube.read("x").values, y = try await cube.read("y").values
        #expect(x.count == 50 && y.count == 50)
        #expect(x[0] == 3_510_000)
        #expect(y[0] == 3_490_000)
        // Independent truth: each pixel centre to lon/lat, then the analytic field.
        let toGeographic = try PROJTransform(from: CRSDefinition("EPSG:3035"), to: .wgs84)
        var lons = y.flatMap { _ in x }, lats = y.flatMap { yy in x.map { _ in yy } }
        lons.withUnsafeMutableBufferPointer { a in lats.withUnsafeMutableBufferPointer { b in toGeographic.transform(x: a, y: b) } }
        let tas = try await cube.read("tas"), wet = try await cube.read("packed_wet"), pk = try await cube.read("pk")
        #expect(tas.shape == [5, 50, 50])
        for k in 0..<5 {
            let t = 7305 + Double(k)
            for p in 0..<2500 {
                #expect(abs(tas.values[k * 2500 + p] - LinearFields.temperature(lons[p], lats[p], t)) < 2e-3)
                let nearestLon = lons[p].rounded(.down) + 0.5, nearestLat = lats[p].rounded(.down) + 0.5
                #expect(abs(pk.values[k * 2500 + p] - LinearFields.packed(nearestLon, nearestLat, t)!) < 6e-4)
                if let expected = LinearFields.masked(lons[p], lats[p], t), !LinearFields.isSea(lons[p], lats[p] + 1),
                    !LinearFields.isSea(lons[p], lats[p] - 1) {
                    #expect(abs(wet.values[k * 2500 + p] - expected) < 6e-4, "packed to int16 with scale 0.001")
                }
            }
        }
        let crs = try await cube.document("crs/.zattrs")
        #expect(crs["grid_mapping_name"] == .string("lambert_azimuthal_equal_area"))
        #expect(crs["crs_wkt"]?.stringValue?.contains("LAEA Europe") == true)
        let attrs = try await cube.document("packed_wet/.zattrs")
        #expect(attrs["grid_mapping"] == .string("crs") && attrs["scale_factor"] == .double(0.001))
        #expect(attrs["_CRS"] == nil, "GDAL's object attribute only with output.gdal_crs (it blocks NetCDF export)")
        let zarray = try await cube.document("packed_wet/.zarray")
        #expect(zarray["dtype"] == .string("<i2") && zarray["fill_value"] == .int(-32768))
        let global = try await cube.document(".zattrs")
        // Corners by pyproj: (3500000, 2500000) → 0.4509°W 45.0933°N, (3500000, 3500000) → 2.5798°W 53.9626°N.
        let latMin = try #require(global["geospatial_lat_min"]?.doubleValue)
        let lonMin = try #require(global["geospatial_lon_min"]?.doubleValue)
        #expect(abs(latMin - 45.0933) < 1e-3)
        #expect(abs(lonMin + 2.5798) < 1e-3)
        #expect(global["time_coverage_start"] == .string("2020-01-01T00:00:00Z"))
        let consolidated = try await cube.document(".zmetadata")
        for name in ["tas", "pk", "packed_wet", "x", "y", "x_bnds", "y_bnds", "time", "crs"] {
            #expect(consolidated["metadata"]?["\(name)/.zarray"] != nil, "\(name) in .zmetadata")
        }
    }

    @Test func bytesDoNotDependOnTheWorkerCount() async throws {
        let dir = try TemporaryDirectory("e2e")
        defer { dir.remove() }
        try writeInputs(dir)
        let text = recipe(grid: "  crs: EPSG:3035\n  bbox: [3000000, 2000000, 4000000, 3000000]\n  resolution: 25000",
                          chunks: "{time: 3, y: 7, x: 9}")
        _ = try await run(dir, text, workers: 1, output: "one.zarr")
        _ = try await run(dir, text, workers: 5, output: "five.zarr")
        var one = try await CubeReader(path: dir.path("one.zarr")).chunkFiles()
        var five = try await CubeReader(path: dir.path("five.zarr")).chunkFiles()
        // data chunks + coordinate chunks + lineage.json + chunks.sha256 + quick-looks + task records + the finalized digest + layout
        let expectedFiles = 2 * 6 * 5 * 3 + 6 + 1 + 1 + 3 + 2 * 6 * 5 + 1 + 1
        #expect(one.count == expectedFiles)
        // The finalized digest covers the recipe, output path included.
        #expect(one.removeValue(forKey: ".cubegen/finalized") != five.removeValue(forKey: ".cubegen/finalized"))
        // The lineage names the output path and the time of the run; all else is the same.
        // The lineage names the output path, the recipe's hash and the time of the run; all else is the same.
        func comparable(_ bytes: [UInt8]?) throws -> JSONValue {
            let text = String(decoding: bytes ?? [], as: UTF8.self).replacingOccurrences(of: "five.zarr", with: "one.zarr")
            let json = try JSONValue.parse(Array(text.utf8))
            return json.setting("created", .null).setting("recipe", json["recipe"]?.setting("sha256", .null) ?? .null)
        }
        let lineageOne = try comparable(one.removeValue(forKey: "lineage.json"))
        #expect(lineageOne["cube_id"] == .string("test-cube"))
        #expect(lineageOne == (try comparable(five.removeValue(forKey: "lineage.json"))))
        #expect(one == five, "chunks and quick-looks")
    }

    @Test func anExistingOutputIsNeverTouchedUnlessAsked() async throws {
        let dir = try TemporaryDirectory("e2e")
        defer { dir.remove() }
        try writeInputs(dir)
        try FileManager.default.createDirectory(atPath: dir.path("out.zarr"), withIntermediateDirectories: true)
        try dir.write("out.zarr/precious.txt", "keep me")
        let text = recipe(grid: "  crs: EPSG:4326\n  bbox: [0, 0, 10, 10]\n  resolution: 1")
        await #expect(throws: CubeError.self) { _ = try await run(dir, text) }
        // Not even overwrite replaces a folder that is not a cube (issue: overwrite destroys only cubes).
        await #expect(throws: CubeError.self) { _ = try await run(dir, text, overwrite: true) }
        #expect(FileManager.default.fileExists(atPath: dir.path("out.zarr/precious.txt")))
        #expect(!FileManager.default.fileExists(atPath: dir.path("out.zarr.cubegen-partial")))
        try FileManager.default.removeItem(atPath: dir.path("out.zarr"))
        _ = try await run(dir, text)
        // The same recipe again is up to date (nothing written); another one needs overwrite.
        _ = try await run(dir, text)
        let other = recipe(grid: "  crs: EPSG:4326\n  bbox: [0, 0, 10, 10]\n  resolution: 0.5")
        await #expect(throws: CubeError.self) { _ = try await run(dir, other) }
        _ = try await run(dir, other, overwrite: true)
        #expect(FileManager.default.fileExists(atPath: dir.path("out.zarr/.zmetadata")))
    }

    @Test func problemsAreClearErrorsNamingKeysAndFiles() async throws {
        let dir = try TemporaryDirectory("e2e")
        defer { dir.remove() }
        try writeInputs(dir)
        let grid = "  crs: EPSG:4326\n  bbox: [0, 0, 10, 10]\n  resolution: 1"
        func message(_ text: String) async -> String {
            do {
                _ = try await run(dir, text)
                return "no error"
            } catch {
                return "\(error)"
            }
        }
        #expect(await message(recipe(grid: grid, extra: "  shards: {x: 32}")).contains("output.shards: 'shards' needs output.format: zarr3"))
        #expect(await message(recipe(grid: grid, extra: "  format: zarr3\n  shards: {x: 24}"))
            .contains("output.shards.x: 24 is not a multiple of the chunk size 16 (output.chunks.x)"))
        #expect(await message(recipe(grid: grid, extra: "  format: zarr3\n  shards: {lat: 24}"))
            .contains("output.shards.lat: 24 is not a multiple of the chunk size 16 along lat"))
        #expect(await message(recipe(grid: grid, extra: "  format: zarr3\n  checksum: md5")).contains("output.checksum"))
        #expect(await message(recipe(grid: grid, variables: "tsa: {}")).contains("did you mean 'tas'?"))
        #expect(await message(recipe(grid: "  crs: EPSG:4326\n  bbox: [0, 0, 10, 10]\n  resolution: 3")).contains("not a whole number"))
        #expect(await message(recipe(grid: "  crs: EPSG:999999\n  bbox: [0, 0, 10, 10]\n  resolution: 1")).contains("recipe.yaml:"))
        #expect(await message(recipe(grid: grid, time: "time: {start: 2021-01-01}")).contains("no time step"))
        #expect(await message(recipe(grid: grid, time: "time: {period: 8D, calendar: noleap, start: 2020-02-29}"))
            .contains("not a date of the noleap calendar"))
        try LinearFields.dataset(resolution: 1, days: [7307, 7310]).write(to: dir.path("c_overlap.nc"))
        let overlap = await message(recipe(grid: grid))
        #expect(overlap.contains("b_earlier.nc") && overlap.contains("c_overlap.nc"), "\(overlap)")
        // The grid is built while the inputs are described; its error still comes first.
        let both = await message(recipe(grid: "  crs: EPSG:999999\n  bbox: [0, 0, 10, 10]\n  resolution: 1"))
        #expect(both.contains("EPSG:999999") && !both.contains("c_overlap.nc"), "\(both)")
    }

    @Test func snapRulesAndAscendingAxes() async throws {
        let dir = try TemporaryDirectory("e2e")
        defer { dir.remove() }
        try writeInputs(dir)
        let expand = try await run(dir, recipe(grid: "  crs: EPSG:4326\n  bbox: [0.2, 0.2, 9.9, 9.9]\n  resolution: 1\n  snap: expand\n  y_axis: ascending"))
        #expect(expand.grid.xMin == 0 && expand.grid.width == 10)
        #expect(expand.grid.yMin == 0 && expand.grid.height == 10)
        let cube = CubeReader(path: dir.path("out.zarr"))
        let lat = try await cube.read("lat").values
        #expect(lat.first == 0.5)
        #expect(lat.last == 9.5)
        let tas = try await cube.read("tas").values
        #expect(abs(tas[0] - LinearFields.temperature(0.5, 0.5, 7305)) < 1e-3)
        let shrink = try await run(dir, recipe(grid: "  crs: EPSG:4326\n  bbox: [0.2, 0.2, 9.9, 9.9]\n  resolution: 1\n  snap: shrink"),
                                   overwrite: true)
        #expect(shrink.grid.xMin == 1 && shrink.grid.width == 8)
    }

    @Test func manyDailyFilesAreConcatenatedInTimeOrder() async throws {
        let dir = try TemporaryDirectory("e2e")
        defer { dir.remove() }
        // 70 one-day files, more than the 64 files kept open at once, named out of time order.
        for day in 0..<70 {
            try LinearFields.dataset(resolution: 10, days: [7305 + Double(day)]).write(to: dir.path("day_\(String(69 - day)).nc"))
        }
        _ = try await run(dir, recipe(grid: "  crs: EPSG:4326\n  bbox: [-40, -40, 40, 40]\n  resolution: 10",
                                      variables: "tas: {}", chunks: "{time: 4, y: 3, x: 3}"))
        let cube = CubeReader(path: dir.path("out.zarr"))
        let time = try await cube.read("time").values
        #expect(time == (0..<70).map { 7305 + Double($0) })
        let tas = try await cube.read("tas")
        let lat = try await cube.read("lat").values, lon = try await cube.read("lon").values
        for (k, t) in time.enumerated() {
            for (j, y) in lat.enumerated() {
                for (i, x) in lon.enumerated() {
                    #expect(abs(tas.values[(k * 8 + j) * 8 + i] - LinearFields.temperature(x, y, t)) < 1e-3)
                }
            }
        }
    }

    /// Daily inputs 2019-12-20 … 2020-01-10 (days 7293 … 7314) aggregated to ESDC 8-day periods
    /// restarting every 1 January: the truth is the analytic field averaged over each period's days.
    @Test func eightDayPeriodsAnchoredToTheYear() async throws {
        let dir = try TemporaryDirectory("e2e")
        defer { dir.remove() }
        try LinearFields.dataset(resolution: 5, days: (7293...7303).map(Double.init)).write(to: dir.path("a.nc"))
        try LinearFields.dataset(resolution: 5, days: (7304...7314).map(Double.init)).write(to: dir.path("b.nc"))
        let variables = "tas: {aggregation: mean}\n      wet: {name: wet_count, aggregation: count}\n      pk: {name: pk_max, aggregation: max}"
        let text = recipe(grid: "  crs: EPSG:4326\n  bbox: [0, 0, 20, 20]\n  resolution: 5", variables: variables,
                          time: "time: {period: 8D, period_anchor: year, label: center}", chunks: "{time: 3, y: 4, x: 4}")
        let plan = try await run(dir, text)
        // Periods: 12-19…27 (8 days), 12-27…01-01 (5 days, end of 2019), 01-01…09, 01-09…17 (data to 01-10).
        #expect(plan.time.count == 4)
        let cube = CubeReader(path: dir.path("out.zarr"))
        let bounds = try await cube.read("time_bnds")
        #expect(bounds.values == [352, 360, 360, 365, 365, 373, 373, 381], "days since 2019-01-01")
        let time = try await cube.read("time").values
        let units = try await cube.document("time/.zattrs")
        #expect(units["units"] == .string("days since 2019-01-01 00:00:00") && units["bounds"] == .string("time_bnds"))
        // Centres in days since 2019-01-01: 2019-12-19 is day 352.
        let expectedTime: [Double] = [356, 362.5, 369, 377]
        #expect(time == expectedTime)
        let days: [[Double]] = [(7293...7299).map(Double.init), (7300...7304).map(Double.init), (7305...7312).map(Double.init),
                                [7313, 7314]]
        let tas = try await cube.read("tas").values, count = try await cube.read("wet_count").values
        let pk = try await cube.read("pk_max").values
        let lat = try await cube.read("lat").values, lon = try await cube.read("lon").values
        for (k, period) in days.enumerated() {
            for (j, y) in lat.enumerated() {
                for (i, x) in lon.enumerated() {
                    let index = (k * 4 + j) * 4 + i
                    let mean = period.map { LinearFields.temperature(x, y, $0) }.reduce(0, +) / Double(period.count)
                    #expect(abs(tas[index] - mean) < 1e-3, "period \(k) at \(x), \(y)")
                    #expect(count[index] == (LinearFields.isSea(x, y) ? 0 : Double(period.count)))
                    #expect(abs(pk[index] - LinearFields.packed(x, y, 0)!) < 6e-4)
                }
            }
        }
        let attributes = try await cube.document("tas/.zattrs")
        #expect(attributes["cell_methods"] == .string("time: mean"))
        #expect(try await cube.document(".zattrs")["time_coverage_resolution"] == .string("P8D"))
    }

    /// Monthly means in the output (proleptic) calendar from a noleap and a 360_day source, by date label.
    @Test(arguments: ["noleap", "360_day"])
    func monthlyMeansFromOtherCalendars(calendar: String) async throws {
        let dir = try TemporaryDirectory("e2e")
        defer { dir.remove() }
        let units = try CFTimeUnits(parsing: "days since 2000-01-01", calendar: CFCalendar(cfName: calendar)!)
        let year = calendar == "noleap" ? 365 : 360
        try LinearFields.dataset(resolution: 10, days: (0..<year).map(Double.init), calendar: calendar).write(to: dir.path("in.nc"))
        let text = recipe(grid: "  crs: EPSG:4326\n  bbox: [0, 0, 10, 10]\n  resolution: 10",
                          variables: "tas: {aggregation: mean, min_count: 29}",
                          time: "time: {period: 1M, calendar: proleptic_gregorian}", chunks: "{time: 12}")
        let plan = try await run(dir, text)
        #expect(plan.time.count == 12)
        let tas = try await CubeReader(path: dir.path("out.zarr")).read("tas").values
        for month in 1...12 {
            let days = (0..<year).map(Double.init).filter { units.date($0).month == month }
            let expected = days.count < 29 ? Double.nan : days.map { LinearFields.temperature(5, 5, $0) }.reduce(0, +) / Double(days.count)
            let got = tas[month - 1]
            #expect(expected.isNaN ? got.isNaN : abs(got - expected) < 1e-3, "\(calendar) month \(month)")
        }
        let notes = try await CubeReader(path: dir.path("out.zarr")).document("tas/.zattrs")["cubegen_processing"]?.stringValue
        #expect(notes?.contains("\(calendar) calendar placed into proleptic_gregorian periods by date label") == true)
    }

    /// A small T2: 1° daily input to 4° conservative (area on the sphere) 2-day means; the truth
    /// is the sin(lat)-weighted mean of the source cell values, averaged over each period's days.
    @Test func conservativeRegriddingWithPeriodMeans() async throws {
        let dir = try TemporaryDirectory("e2e")
        defer { dir.remove() }
        try LinearFields.dataset(resolution: 1, days: [7305, 7306, 7307]).write(to: dir.path("in.nc"))
        let text = recipe(grid: "  crs: EPSG:4326\n  bbox: [-20, 0, 20, 60]\n  resolution: 4",
                          variables: "tas: {resampling: conservative}\n      wet: {resampling: average}",
                          time: "time: {period: 2D}", chunks: "{time: 2, y: 8, x: 8}")
        _ = try await run(dir, text)
        let cube = CubeReader(path: dir.path("out.zarr"))
        let tas = try await cube.read("tas").values, wet = try await cube.read("wet").values
        let lat = try await cube.read("lat").values, lon = try await cube.read("lon").values
        let bounds = try await cube.read("time_bnds").values
        #expect(bounds == [0, 2, 2, 4], "days since 2020-01-01")
        let periods: [[Double]] = [[7305, 7306], [7307]]
        for (k, days) in periods.enumerated() {
            for (j, y) in lat.enumerated() {
                for (i, x) in lon.enumerated() {
                    var sum = 0.0, weight = 0.0, wetSum = 0.0, wetWeight = 0.0
                    for day in days {
                        for sy in stride(from: y - 1.5, through: y + 1.5, by: 1) {
                            let w = sin((sy + 0.5) * .pi / 180) - sin((sy - 0.5) * .pi / 180)
                            for sx in stride(from: x - 1.5, through: x + 1.5, by: 1) {
                                sum += w * LinearFields.temperature(sx, sy, day)
                                weight += w
                                if let v = LinearFields.masked(sx, sy, day) {
                                    wetSum += v
                                    wetWeight += 1
                                }
                            }
                        }
                    }
                    let index = (k * 15 + j) * 10 + i
                    #expect(abs(tas[index] - sum / weight) < 1e-3, "tas period \(k) at \(x), \(y)")
                    let expectedWet = wetWeight > 0 ? wetSum / wetWeight : .nan
                    #expect(expectedWet.isNaN ? wet[index].isNaN : abs(wet[index] - expectedWet) < 1e-4, "wet period \(k) at \(x), \(y)")
                }
            }
        }
    }

    /// Two sources on one grid and time axis: a 1° daily source and a 4° source with a step every
    /// 8 days, to 2° and 4-day periods. The coarse source's empty periods are filled by linear
    /// up-sampling. Fields are linear in lon, lat and time, so the truth is exact.
    @Test func twoSourcesWithDifferentGridsAndStepsShareOneCube() async throws {
        let dir = try TemporaryDirectory("e2e")
        defer { dir.remove() }
        try LinearFields.dataset(resolution: 1, days: (7305...7320).map(Double.init)).write(to: dir.path("daily.nc"))
        try LinearFields.dataset(resolution: 4, days: [7305, 7313]).write(to: dir.path("coarse.nc"))
        let text = """
        version: 1
        cube: {id: two-sources, title: Two sources, license: CC0-1.0}
        grid: {crs: EPSG:4326, bbox: [-20, 32, 20, 60], resolution: 2}
        time: {start: 2020-01-01, end: 2020-01-16, period: 4D, label: start}
        sources:
          - name: daily
            store: netcdf
            paths: [daily.nc]
            variables:
              tas: {resampling: average, aggregation: mean}
          - name: coarse
            store: netcdf
            paths: [coarse.nc]
            variables:
              tas: {name: tas_coarse, resampling: bilinear, upsampling: linear}
        output: {path: out.zarr, chunks: {time: 4, lat: 7, lon: 10}}
        """
        let path = try dir.write("recipe.yaml", text)
        let pipeline = Pipeline()
        _ = try await pipeline.run(try await pipeline.plan(try pipeline.load(recipeAt: path)))
        let cube = CubeReader(path: dir.path("out.zarr"))
        #expect(try await cube.read("time_bnds").values == [0, 4, 4, 8, 8, 12, 12, 16])
        let daily = try await cube.read("tas").values, coarse = try await cube.read("tas_coarse").values
        let lat = try await cube.read("lat").values, lon = try await cube.read("lon").values
        // Coarse source: steps at 7305 and 7313; periods start 7305, 7309 (empty: linear → 7309),
        // 7313, 7317 (empty, no later step: the last one, 7313).
        let coarseTimes: [Double] = [7305, 7309, 7313, 7313]
        for k in 0..<4 {
            let days = (0..<4).map { 7305 + Double(4 * k + $0) }
            for (j, y) in lat.enumerated() {
                for (i, x) in lon.enumerated() {
                    let index = (k * lat.count + j) * lon.count + i
                    let mean = days.map { LinearFields.temperature(x, y, $0) }.reduce(0, +) / 4
                    #expect(abs(daily[index] - mean) < 1e-3, "daily period \(k) at \(x), \(y)")
                    #expect(abs(coarse[index] - LinearFields.temperature(x, y, coarseTimes[k])) < 1e-3, "coarse period \(k) at \(x), \(y)")
                }
            }
        }
        let notes = try await cube.document("tas_coarse/.zattrs")["cubegen_processing"]?.stringValue ?? ""
        #expect(notes.contains("2 of 4 periods have no source step and are filled by linear up-sampling"), "\(notes)")
        let dailyNotes = try await cube.document("tas/.zattrs")["cubegen_processing"]
        #expect(dailyNotes == nil, "\(String(describing: dailyNotes))")
    }

    /// Hourly input to daily means, and ESDC 8-day periods across 29 February 2020.
    @Test func subDailyInputAndTheLeapDay() async throws {
        let dir = try TemporaryDirectory("e2e")
        defer { dir.remove() }
        // Hourly steps from 2020-02-25 00:00 to 2020-03-02 23:00 (days 7360 … 7366.958).
        let hours = (0..<(7 * 24)).map { 7360 + Double($0) / 24 }
        try LinearFields.dataset(resolution: 10, days: hours).write(to: dir.path("hourly.nc"))
        let grid = "  crs: EPSG:4326\n  bbox: [0, 0, 10, 10]\n  resolution: 10"
        _ = try await run(dir, recipe(grid: grid, variables: "tas: {aggregation: mean}", time: "time: {period: 1D}",
                                      chunks: "{time: 10}"))
        var tas = try await CubeReader(path: dir.path("out.zarr")).read("tas").values
        #expect(tas.count == 7)
        for day in 0..<7 {
            let mean = (0..<24).map { LinearFields.temperature(5, 5, 7360 + Double(day) + Double($0) / 24) }.reduce(0, +) / 24
            #expect(abs(tas[day] - mean) < 1e-3, "day \(day)")
        }
        // 8-day periods restarting every 1 January: 2020-02-18…26 and 2020-02-26…03-05 (holding the leap day).
        _ = try await run(dir, recipe(grid: grid, variables: "tas: {aggregation: max}",
                                      time: "time: {period: 8D, period_anchor: year, label: end}", chunks: "{time: 10}"),
                          overwrite: true)
        let cube = CubeReader(path: dir.path("out.zarr"))
        #expect(try await cube.read("time_bnds").values == [48, 56, 56, 64], "days since 2020-01-01")
        #expect(try await cube.read("time").values == [56, 64], "labelled at the period ends")
        tas = try await cube.read("tas").values
        #expect(abs(tas[0] - LinearFields.temperature(5, 5, 7361 - 1.0 / 24)) < 1e-3, "last hour of 02-25")
        #expect(abs(tas[1] - LinearFields.temperature(5, 5, hours.last!)) < 1e-3, "last hour of 03-02, after the leap day")
    }

    /// A geographic box across the antimeridian (xmin > xmax): longitudes run 170.5 … 189.5 and the
    /// values come from both ends of the −180…180 source.
    @Test func boxesAcrossTheAntimeridian() async throws {
        let dir = try TemporaryDirectory("e2e")
        defer { dir.remove() }
        try LinearFields.dataset(resolution: 1, days: [7305]).write(to: dir.path("in.nc"))
        _ = try await run(dir, recipe(grid: "  crs: EPSG:4326\n  bbox: [170, -10, -170, 10]\n  resolution: 1", variables: "tas: {}"))
        let cube = CubeReader(path: dir.path("out.zarr"))
        let lon = try await cube.read("lon").values, lat = try await cube.read("lat").values
        #expect(lon.first == 170.5 && lon.last == 189.5 && lon.count == 20)
        let tas = try await cube.read("tas").values
        for (j, y) in lat.enumerated() {
            for (i, x) in lon.enumerated() {
                let sourceLon = x > 180 ? x - 360 : x
                #expect(abs(tas[j * 20 + i] - LinearFields.temperature(sourceLon, y, 7305)) < 1e-3, "at \(x), \(y)")
            }
        }
        let projected = recipe(grid: "  crs: EPSG:3035\n  bbox: [5000000, 0, 4000000, 100000]\n  resolution: 50000", variables: "tas: {}")
        await #expect(throws: CubeError.self) { _ = try await run(dir, projected, overwrite: true) }
    }

    /// A polar stereographic target (EPSG:3413) around the North Pole from a global lat/lon source.
    /// The field depends on latitude only, linearly, so bilinear is exact, except above the last
    /// source row centre (89.5°N), where the edge value is repeated.
    @Test func polarStereographicTargetsIncludeThePole() async throws {
        let dir = try TemporaryDirectory("e2e")
        defer { dir.remove() }
        let sample = SampleDataset(
            x: SampleDataset.axis(start: -179.5, step: 1, count: 360), y: SampleDataset.axis(start: 89.5, step: -1, count: 180),
            geographic: true, times: [7305], timeUnits: "days since 2000-01-01",
            variables: [.init(name: "f", dataType: .float64, attributes: [Attribute("units", .text("1"))]) { _, lat, _ in 2 * lat }])
        try sample.write(to: dir.path("in.nc"))
        // Around the pole a 100 km pixel spans many 1° columns, so the default would be down-sampling
        // (average): ask for bilinear.
        _ = try await run(dir, recipe(grid: "  crs: EPSG:3413\n  bbox: [-1050000, -1050000, 1050000, 1050000]\n  resolution: 100000",
                                      variables: "f: {resampling: bilinear}"))
        let cube = CubeReader(path: dir.path("out.zarr"))
        let x = try await cube.read("x").values, y = try await cube.read("y").values
        let f = try await cube.read("f").values
        let toGeographic = try PROJTransform(from: CRSDefinition("EPSG:3413"), to: .wgs84)
        var lons = y.flatMap { _ in x }, lats = y.flatMap { yy in x.map { _ in yy } }
        lons.withUnsafeMutableBufferPointer { a in lats.withUnsafeMutableBufferPointer { b in toGeographic.transform(x: a, y: b) } }
        #expect(f.count == 441)
        for k in 0..<441 {
            #expect(abs(f[k] - 2 * min(lats[k], 89.5)) < 1e-3, "pixel \(k) at latitude \(lats[k])")
        }
        #expect(abs(lats[220] - 90) < 1e-9, "the centre pixel is the pole")
        let crs = try await cube.document("crs/.zattrs")
        #expect(crs["grid_mapping_name"] == .string("polar_stereographic"))
        #expect(try await cube.document(".zattrs")["geospatial_lat_max"] == .double(90))
    }

    /// Categorical int16 data (classes 1…5 by longitude band, -1 at sea) keeps its type and fill
    /// value under nearest and mode unless the recipe asks for another dtype.
    @Test func categoricalVariablesKeepTheirType() async throws {
        let dir = try TemporaryDirectory("e2e")
        defer { dir.remove() }
        let sample = SampleDataset(
            x: SampleDataset.axis(start: 0.5, step: 1, count: 20), y: SampleDataset.axis(start: 19.5, step: -1, count: 20),
            geographic: true, times: [7305], timeUnits: "days since 2000-01-01",
            variables: [.init(name: "landcover", dataType: .int16, attributes: [Attribute("_FillValue", .integers([-1]))]) { lon, lat, _ in
                lat < 4 ? nil : Double(Int(lon / 4) + 1)
            }])
        try sample.write(to: dir.path("in.nc"))
        let grid = "  crs: EPSG:4326\n  bbox: [0, 0, 20, 20]\n  resolution: 2"
        _ = try await run(dir, recipe(grid: grid, variables: "landcover: {}"))
        var cube = CubeReader(path: dir.path("out.zarr"))
        var zarray = try await cube.document("landcover/.zarray")
        #expect(zarray["dtype"] == .string("<i2") && zarray["fill_value"] == .int(-1))
        var values = try await cube.read("landcover").values
        let lat = try await cube.read("lat").values, lon = try await cube.read("lon").values
        for (j, y) in lat.enumerated() {
            for (i, x) in lon.enumerated() {
                // Centres at even degrees sit on cell edges: nearest takes the cell above/right.
                let expected = y < 4 ? Double.nan : Double(Int(x / 4) + 1)
                let got = values[j * lon.count + i]
                #expect(expected.isNaN ? got.isNaN : got == expected, "nearest at \(x), \(y)")
            }
        }
        _ = try await run(dir, recipe(grid: "  crs: EPSG:4326\n  bbox: [0, 0, 20, 20]\n  resolution: 5",
                                      variables: "landcover: {resampling: mode}"), overwrite: true)
        cube = CubeReader(path: dir.path("out.zarr"))
        zarray = try await cube.document("landcover/.zarray")
        #expect(zarray["dtype"] == .string("<i2"))
        values = try await cube.read("landcover").values
        // 5° cells over 4° bands: the class with most overlap wins (0–5: four cells of 1; 5–10: three of 2;
        // 10–15: three of 4 against two of 3; 15–20: four of 5).
        #expect(Array(values[0..<4]) == [1, 2, 4, 5])
        _ = try await run(dir, recipe(grid: grid, variables: "landcover: {dtype: float32}"), overwrite: true)
        zarray = try await CubeReader(path: dir.path("out.zarr")).document("landcover/.zarray")
        #expect(zarray["dtype"] == .string("<f4"))
    }

    /// Tiny and huge scale factors: 0.01° pixels (×100 up-sampling) and 60° pixels (×60 down-sampling)
    /// from a 1° source, on a field linear in lon and lat.
    @Test func tinyAndHugeScaleFactors() async throws {
        let dir = try TemporaryDirectory("e2e")
        defer { dir.remove() }
        try LinearFields.dataset(resolution: 1, days: [7305]).write(to: dir.path("in.nc"))
        _ = try await run(dir, recipe(grid: "  crs: EPSG:4326\n  bbox: [10, 40, 10.5, 40.3]\n  resolution: 0.01",
                                      variables: "tas: {resampling: bilinear}\n      pk: {name: pk_avg, resampling: average}"))
        var cube = CubeReader(path: dir.path("out.zarr"))
        var lat = try await cube.read("lat").values, lon = try await cube.read("lon").values
        let tas = try await cube.read("tas").values, pk = try await cube.read("pk_avg").values
        #expect(lon.count == 50 && lat.count == 30)
        for (j, y) in lat.enumerated() {
            for (i, x) in lon.enumerated() {
                #expect(abs(tas[j * 50 + i] - LinearFields.temperature(x, y, 7305)) < 1e-3)
                // average up-samples by repeating the containing 1° cell.
                #expect(abs(pk[j * 50 + i] - LinearFields.packed(x.rounded(.down) + 0.5, y.rounded(.down) + 0.5, 0)!) < 6e-4)
            }
        }
        _ = try await run(dir, recipe(grid: "  crs: EPSG:4326\n  bbox: [-180, -60, 180, 60]\n  resolution: 60",
                                      variables: "tas: {resampling: average}"), overwrite: true)
        cube = CubeReader(path: dir.path("out.zarr"))
        lat = try await cube.read("lat").values
        lon = try await cube.read("lon").values
        let coarse = try await cube.read("tas").values
        #expect(coarse.count == 12)
        for (j, y) in lat.enumerated() {
            for (i, x) in lon.enumerated() {
                // The planar mean of a linear field over a cell is its value at the cell centre.
                #expect(abs(coarse[j * 6 + i] - LinearFields.temperature(x, y, 7305)) < 1e-3, "60° cell at \(x), \(y)")
            }
        }
    }
}
