import CubeFixtures
import CubeGen
import CubeSamples
import Foundation
import Testing

/// Incremental runs: a cube updated in place as inputs are added or changed, or a variable's
/// settings change, equals a cube built from scratch, and only the chunks the change feeds are
/// rewritten (checked by inode: an untouched chunk is the very same file).
@Suite(.serialized) struct IncrementalRunTests {
    /// Days since 2000-01-01 of each month of 2020 (a leap year) used here.
    private static let months: [Int: ClosedRange<Int>] = [1: 7305...7335, 2: 7336...7364, 3: 7365...7395]

    private func writeMonth(_ month: Int, in dir: TemporaryDirectory) throws {
        let days = Self.months[month]!.map(Double.init)
        try LinearFields.dataset(resolution: 2, days: days).write(to: dir.path("inputs/m\(month).nc"))
    }

    private func recipe(_ dir: TemporaryDirectory, output: String, time: String = "", resolution: Double = 1,
                        tas: String = "{}", chunks: String = "{time: 7, y: 5, x: 5}") throws -> String {
        try dir.write("recipe-\(UUID().uuidString).yaml", """
            version: 1
            cube: {id: incremental-test, title: Incremental test, license: CC0-1.0}
            grid: {crs: EPSG:4326, bbox: [0, 40, 10, 50], resolution: \(resolution)}
            \(time)
            sources:
              - name: src
                store: netcdf
                paths: [\(dir.path("inputs"))/m*.nc]
                variables: {tas: \(tas), wet: {}, pk: {dtype: int16, scale_factor: 0.0001, fill_value: -32768}}
            output:
              path: \(output)
              chunks: \(chunks)
            """)
    }

    private func run(_ recipePath: String, overwrite: Bool = false) async throws -> RunReport {
        let pipeline = Pipeline()
        let plan = try await pipeline.plan(try pipeline.load(recipeAt: recipePath))
        return try await pipeline.run(plan, options: RunOptions(workers: 2, overwrite: overwrite))
    }

    /// Every file of a cube by relative path: its bytes and inode.
    private func files(_ folder: String) throws -> [String: (data: Data, inode: Int)] {
        var result: [String: (data: Data, inode: Int)] = [:]
        for relative in try FileManager.default.subpathsOfDirectory(atPath: folder) {
            let path = folder + "/" + relative
            var isDirectory: ObjCBool = false
            guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory), !isDirectory.boolValue else { continue }
            let inode = (try FileManager.default.attributesOfItem(atPath: path)[.systemFileNumber] as? NSNumber)?.intValue ?? -1
            result[relative] = (try Data(contentsOf: URL(fileURLWithPath: path)), inode)
        }
        return result
    }

    /// The files whose bytes are the cube's content: everything but the documents that record
    /// run times (lineage, global attributes and their consolidated copy, the finalized digest).
    private func content(_ files: [String: (data: Data, inode: Int)]) -> [String: Data] {
        files.filter { !["lineage.json", ".zattrs", ".zmetadata", ".cubegen/finalized"].contains($0.key) }.mapValues(\.data)
    }

    private func differences(_ a: [String: Data], _ b: [String: Data]) -> [String] {
        Set(a.keys).union(b.keys).filter { a[$0] != b[$0] }.sorted()
    }

    /// The data chunks (not coordinates) rewritten or added between two states of a cube.
    private func rewrittenChunks(_ before: [String: (data: Data, inode: Int)], _ after: [String: (data: Data, inode: Int)]) -> [String] {
        after.filter { key, value in
            ["tas/", "wet/", "pk/"].contains { key.hasPrefix($0) } && !key.hasSuffix(".zarray") && !key.hasSuffix(".zattrs")
                && before[key]?.inode != value.inode
        }.keys.sorted()
    }

    @Test func anAddedMonthGrowsTheTimeAxisAndEqualsABuildFromAllMonths() async throws {
        let dir = try TemporaryDirectory("incremental")
        defer { dir.remove() }
        try FileManager.default.createDirectory(atPath: dir.path("inputs"), withIntermediateDirectories: true)
        for month in [1, 2] { try writeMonth(month, in: dir) }
        let growing = try recipe(dir, output: dir.path("grow.zarr"))
        let first = try await run(growing)
        #expect(first.tasks == 9 * 4)   // 60 days in blocks of 7: 8 full, one of 4 days; 2 × 2 spatial chunks
        let before = try files(dir.path("grow.zarr"))
        // The same files again: nothing to do, nothing duplicated.
        #expect(try await run(growing).upToDate)
        try writeMonth(3, in: dir)
        let second = try await run(growing)
        #expect(!second.upToDate && second.tasksSkipped == 8 * 4 && second.tasks == 5 * 4, "\(second.summary)")
        let after = try files(dir.path("grow.zarr"))
        // Only the partial block 8 and the new blocks 9…12 were written; blocks 0…7 are the same files.
        let expected = ["tas", "wet", "pk"].flatMap { name in
            (8...12).flatMap { t in [0, 1].flatMap { y in [0, 1].map { x in "\(name)/\(t).\(y).\(x)" } } }
        }.filter { after[$0] != nil }.sorted()
        #expect(rewrittenChunks(before, after) == expected)
        // Byte-identical to a cube built from the three months at once.
        let whole = try recipe(dir, output: dir.path("whole.zarr"))
        _ = try await run(whole)
        let grown = content(after), direct = content(try files(dir.path("whole.zarr")))
        #expect(grown == direct, "differ: \(differences(grown, direct))")
        // Re-adding the same files: up to date, no step duplicated or reordered.
        #expect(try await run(growing).upToDate)
    }

    @Test func eightDayPeriodsAcrossTheMonthBoundaryEqualABuildFromAllMonths() async throws {
        let dir = try TemporaryDirectory("incremental")
        defer { dir.remove() }
        try FileManager.default.createDirectory(atPath: dir.path("inputs"), withIntermediateDirectories: true)
        for month in [1, 2] { try writeMonth(month, in: dir) }
        let time = "time: {period: 8D, label: center}"
        let chunks = "{time: 3, y: 10, x: 10}"
        let growing = try recipe(dir, output: dir.path("grow.zarr"), time: time, chunks: chunks)
        _ = try await run(growing)
        let before = try files(dir.path("grow.zarr"))
        try writeMonth(3, in: dir)
        // Period 7 (26 Feb…4 Mar) was partial and crosses into March: recomputed and relabelled.
        let second = try await run(growing)
        #expect(!second.upToDate && second.tasksSkipped == 2 && second.tasks == 2, "\(second.summary)")
        let after = try files(dir.path("grow.zarr"))
        #expect(rewrittenChunks(before, after) == ["pk/2.0.0", "pk/3.0.0", "tas/2.0.0", "tas/3.0.0", "wet/2.0.0", "wet/3.0.0"])
        let whole = try recipe(dir, output: dir.path("whole.zarr"), time: time, chunks: chunks)
        _ = try await run(whole)
        let grown = content(after), direct = content(try files(dir.path("whole.zarr")))
        #expect(grown == direct, "differ: \(differences(grown, direct))")
    }

    @Test func aChangedInputOrVariableRewritesOnlyWhatItFeeds() async throws {
        let dir = try TemporaryDirectory("incremental")
        defer { dir.remove() }
        try FileManager.default.createDirectory(atPath: dir.path("inputs"), withIntermediateDirectories: true)
        for month in [1, 2] { try writeMonth(month, in: dir) }
        let path = try recipe(dir, output: dir.path("cube.zarr"))
        _ = try await run(path)
        // February's file is written again (a new fingerprint): only the blocks holding February
        // days (4…8) are recomputed.
        let before = try files(dir.path("cube.zarr"))
        try writeMonth(2, in: dir)
        let changed = try await run(path)
        #expect(changed.tasksSkipped == 4 * 4 && changed.tasks == 5 * 4, "\(changed.summary)")
        let after = try files(dir.path("cube.zarr"))
        #expect(rewrittenChunks(before, after).allSatisfy { Int($0.split(separator: "/")[1].split(separator: ".")[0])! >= 4 })
        // One variable's method changes: only its chunks are rewritten.
        let nearest = try recipe(dir, output: dir.path("cube.zarr"), tas: "{resampling: nearest}")
        let variable = try await run(nearest)
        #expect(variable.chunksWritten == 9 * 4, "\(variable.summary)")
        let third = try files(dir.path("cube.zarr"))
        #expect(Set(rewrittenChunks(after, third).map { $0.split(separator: "/")[0] }) == ["tas"])
        let fresh = try recipe(dir, output: dir.path("fresh.zarr"), tas: "{resampling: nearest}")
        _ = try await run(fresh)
        let updated = content(third), direct = content(try files(dir.path("fresh.zarr")))
        #expect(updated == direct, "differ: \(differences(updated, direct))")
    }

    @Test func aChangeThatCannotBeAppliedInPlaceSaysWhatChangedAndSuggestsOverwrite() async throws {
        let dir = try TemporaryDirectory("incremental")
        defer { dir.remove() }
        try FileManager.default.createDirectory(atPath: dir.path("inputs"), withIntermediateDirectories: true)
        for month in [1, 2] { try writeMonth(month, in: dir) }
        _ = try await run(try recipe(dir, output: dir.path("cube.zarr")))
        let original = content(try files(dir.path("cube.zarr")))
        let cases: [(recipe: String, says: String)] = [
            (try recipe(dir, output: dir.path("cube.zarr"), resolution: 0.5), "grid.resolution changed"),
            (try recipe(dir, output: dir.path("cube.zarr"), chunks: "{time: 5, y: 5, x: 5}"), "output.chunks changed"),
            (try recipe(dir, output: dir.path("cube.zarr"), tas: "{dtype: float64}"), "variable 'tas' dtype changed from \"float32\" to \"float64\""),
            (try recipe(dir, output: dir.path("cube.zarr"), time: "time: {end: 2020-01-31}"), "the time axis would shrink from 60 to 31 steps"),
        ]
        for (path, says) in cases {
            do {
                _ = try await run(path)
                Issue.record("an incompatible change was applied in place (\(says))")
            } catch let error as CubeError {
                #expect(error.message.contains(says) && error.message.contains("--overwrite"), "\(error.message)")
            }
        }
        try FileManager.default.removeItem(atPath: dir.path("inputs/m1.nc"))
        do {
            _ = try await run(try recipe(dir, output: dir.path("cube.zarr"), time: "time: {start: 2020-02-01}"))
            Issue.record("a removed input was applied in place")
        } catch let error as CubeError {
            #expect(error.message.contains("m1.nc' was removed"), "\(error.message)")
        }
        #expect(content(try files(dir.path("cube.zarr"))) == original, "a refused update touched the cube")
        // --overwrite rebuilds.
        let rebuilt = try await run(try recipe(dir, output: dir.path("cube.zarr"), resolution: 0.5), overwrite: true)
        #expect(rebuilt.tasks > 0)
    }
}
