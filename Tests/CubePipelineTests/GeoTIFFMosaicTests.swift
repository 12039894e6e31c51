@testable import CubePipeline
import CubeFixtures
import CubeGen
import Foundation
import Testing

/// Tiles of one date mosaicked onto one time step, in process: the rules per pixel, dates from
/// file names, a period over mosaicked dates, and the errors of time-less inputs.
@Suite(.serialized) struct GeoTIFFMosaicTests {
    @Test(arguments: [(MosaicRule.first, [1, 2, 5, .nan]), (.last, [1, 4, 5, .nan]), (.mean, [1, 3, 5, .nan]),
                      (.min, [1, 2, 5, .nan]), (.max, [1, 4, 5, .nan])] as [(MosaicRule, [Float])])
    func rulesCombineValidValuesOnly(rule: MosaicRule, expected: [Float]) {
        var mosaic = MosaicAccumulator(rule, cells: 4)
        let first: [Float] = [1, 2, .nan, .nan], second: [Float] = [.nan, 4, 5, .nan]
        first.withUnsafeBufferPointer { mosaic.add($0) }
        second.withUnsafeBufferPointer { mosaic.add($0) }
        var out = [Float](repeating: 0, count: 4)
        out.withUnsafeMutableBufferPointer { mosaic.finish(into: $0) }
        #expect(out.elementsEqual(expected) { $0 == $1 || ($0.isNaN && $1.isNaN) }, "\(rule): \(out)")
    }

    /// Two 30 × 20 tiles of 100 m, overlapping by 10 columns: tile a holds 1, tile b holds 2
    /// (plus 10 on the second date), written for two dates.
    private func writeTiles(_ dir: TemporaryDirectory) throws {
        for (day, extra) in [("20240601", 0.0), ("20240602", 10.0)] {
            for (name, x, value) in [("a", 500_000.0, 1.0), ("b", 502_000.0, 2.0 + extra)] {
                var tile = GeoTIFFFixture(width: 30, height: 20, bands: [Array(repeating: value, count: 600)])
                tile.origin = (x, 5_000_000, 100, 100)
                tile.tile = (16, 16)
                try tile.write(to: dir.path("t_\(day)_\(name).tif"))
            }
        }
    }

    private func recipe(rule: String, period: String = "") -> String {
        """
        version: 1
        cube: {id: mosaic, title: Mosaic, license: CC0-1.0}
        grid: {crs: EPSG:32632, bbox: [500000, 4998000, 505000, 5000000], resolution: 100}
        \(period)
        sources:
          - name: tiles
            store: geotiff
            paths: ["t_*.tif"]
            time_from_name: "t_{date:%Y%m%d}_?.tif"
            mosaic: \(rule)
            bands: {1: v}
            variables:
              v: {resampling: nearest}
        output: {path: out.zarr, chunks: {time: 1, y: 10, x: 25}}
        """
    }

    private func run(_ dir: TemporaryDirectory, _ text: String) async throws -> CubePlan {
        let path = try dir.write("recipe.yaml", text)
        let pipeline = Pipeline()
        let plan = try await pipeline.plan(try pipeline.load(recipeAt: path))
        _ = try await pipeline.run(plan, options: RunOptions(workers: 2, overwrite: true))
        return plan
    }

    @Test(arguments: [("first", 1.0, 1.0), ("last", 2.0, 12.0), ("mean", 1.5, 6.5), ("max", 2.0, 12.0)])
    func overlappingTilesFollowTheRule(rule: String, day1: Double, day2: Double) async throws {
        let dir = try TemporaryDirectory("mosaic")
        defer { dir.remove() }
        try writeTiles(dir)
        let plan = try await run(dir, recipe(rule: rule))
        #expect(plan.time.dates.map(\.description).map { $0.prefix(10) } == ["2024-06-01", "2024-06-02"])
        #expect(plan.sources[0].steps.map(\.count) == [2, 2])
        let cube = try await CubeReader(path: dir.path("out.zarr")).read("v")
        #expect(cube.shape == [2, 20, 50])
        for (t, (overlap, bOnly)) in [(day1, 2.0), (day2, 12.0)].enumerated() {
            let row = Array(cube.values[(t * 20 + 5) * 50..<(t * 20 + 6) * 50])
            #expect(row[0..<20].allSatisfy { $0 == 1 }, "tile a only, day \(t + 1)")
            #expect(row[20..<30].allSatisfy { $0 == overlap }, "overlap, day \(t + 1): \(row[20..<30])")
            #expect(row[30..<50].allSatisfy { $0 == bOnly }, "tile b only, day \(t + 1)")
        }
    }

    @Test func aPeriodAggregatesTheMosaicsOfItsDates() async throws {
        let dir = try TemporaryDirectory("mosaic")
        defer { dir.remove() }
        try writeTiles(dir)
        _ = try await run(dir, recipe(rule: "last", period: "time: {period: 1M, start: 2024-06-01, end: 2024-06-30}"))
        let cube = try await CubeReader(path: dir.path("out.zarr")).read("v")
        #expect(cube.shape == [1, 20, 50])
        // Mean over the two dates of the `last` mosaics: a only 1, overlap (2 + 12) / 2, b only (2 + 12) / 2.
        let row = Array(cube.values[5 * 50..<6 * 50])
        #expect(row[0] == 1 && row[25] == 7 && row[45] == 7)
    }

    @Test func timeLessFilesNeedATimeRule() async throws {
        let dir = try TemporaryDirectory("mosaic")
        defer { dir.remove() }
        try writeTiles(dir)
        let text = recipe(rule: "first").replacingOccurrences(of: "    time_from_name: \"t_{date:%Y%m%d}_?.tif\"\n", with: "")
        await #expect { try await run(dir, text) } throws: {
            guard let error = $0 as? CubeError else { return false }
            return error.code == .unsupported && error.message.contains("t_20240601_a.tif") && error.message.contains("time_from_name")
        }
    }
}
