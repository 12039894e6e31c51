import CubeFixtures
import CubeGen
import CubeSamples
import Foundation
import Testing

/// Runs that survive and scale out: task records, resume, up-to-date checks, shards + finalize.
/// Every way of building a cube gives the same bytes as one uninterrupted run.
@Suite(.serialized) struct ResumableRunTests {
    private func recipe(_ output: String, chunks: String = "{time: 2, y: 5, x: 5}") -> String {
        """
        version: 1
        cube: {id: resume-test, title: Resume test, license: CC0-1.0}
        grid: {crs: EPSG:4326, bbox: [0, 40, 10, 50], resolution: 1}
        sources:
          - name: src
            store: netcdf
            paths: [in.nc]
            variables: {tas: {}, wet: {}, pk: {dtype: int16, scale_factor: 0.0001, fill_value: -32768}}
        output:
          path: \(output)
          chunks: \(chunks)
        """
    }

    private func plan(_ dir: TemporaryDirectory, _ output: String) async throws -> (Pipeline, CubePlan) {
        if !FileManager.default.fileExists(atPath: dir.path("in.nc")) {
            try LinearFields.dataset(resolution: 1, days: [7305, 7306, 7307, 7308, 7309]).write(to: dir.path("in.nc"))
        }
        let pipeline = Pipeline()
        let path = try dir.write("recipe-\(output.replacingOccurrences(of: "/", with: "_")).yaml", recipe(output))
        return (pipeline, try await pipeline.plan(try pipeline.load(recipeAt: path)))
    }

    /// Every file of a cube by relative path, with the documents that record run times left out.
    private func cube(_ folder: String) throws -> [String: Data] {
        var result: [String: Data] = [:]
        for relative in try FileManager.default.subpathsOfDirectory(atPath: folder) {
            var isDirectory: ObjCBool = false
            let path = folder + "/" + relative
            guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory), !isDirectory.boolValue else { continue }
            result[relative] = try Data(contentsOf: URL(fileURLWithPath: path))
        }
        return result
    }

    private func timeless(_ files: [String: Data]) -> [String: Data] {
        files.filter { !["lineage.json", ".zattrs", ".zmetadata", ".cubegen/finalized"].contains($0.key) }
    }

    /// The keys whose bytes differ between two cubes (for messages).
    private func differences(_ a: [String: Data], _ b: [String: Data]) -> [String] {
        Set(a.keys).union(b.keys).filter { a[$0] != b[$0] }.sorted()
    }

    private func mtimes(_ folder: String) throws -> [String: Date] {
        var result: [String: Date] = [:]
        for relative in try FileManager.default.subpathsOfDirectory(atPath: folder) {
            result[relative] = try FileManager.default.attributesOfItem(atPath: folder + "/" + relative)[.modificationDate] as? Date
        }
        return result
    }

    @Test func everyTaskIsRecordedAndTheSameRecipeIsUpToDate() async throws {
        let dir = try TemporaryDirectory("resume")
        defer { dir.remove() }
        let (pipeline, plan) = try await plan(dir, dir.path("a.zarr"))
        let first = try await pipeline.run(plan, options: RunOptions(workers: 2))
        #expect(first.tasks == plan.taskCount && first.tasksSkipped == 0 && !first.upToDate)
        let records = try FileManager.default.contentsOfDirectory(atPath: dir.path("a.zarr/.cubegen/tasks"))
        #expect(records.count == plan.taskCount)
        #expect(FileManager.default.fileExists(atPath: dir.path("a.zarr/.cubegen/finalized")))
        // The cube is still valid with its records (readers and verify ignore .cubegen).
        let verdict = try await CubeVerifier(cubePath: dir.path("a.zarr"), decodeChunks: true).verify()
        #expect(verdict.isValid && !verdict.problems.contains { $0.rule == .zarr }, "\(verdict.problems)")
        // The same recipe again: up to date, not one file rewritten.
        let before = try mtimes(dir.path("a.zarr"))
        try await Task.sleep(for: .milliseconds(20))
        let second = try await pipeline.run(plan, options: RunOptions(workers: 2))
        #expect(second.upToDate && second.tasks == 0)
        #expect(second.summary.contains("up to date"))
        #expect(try mtimes(dir.path("a.zarr")) == before)
        // --force rebuilds, to the same bytes.
        let content = try cube(dir.path("a.zarr"))
        let forced = try await pipeline.run(plan, options: RunOptions(workers: 2, overwrite: true, force: true))
        #expect(!forced.upToDate && forced.tasks == plan.taskCount)
        #expect(timeless(try cube(dir.path("a.zarr"))).filter { !$0.key.hasPrefix(".cubegen") } ==
                timeless(content).filter { !$0.key.hasPrefix(".cubegen") })
    }

    @Test func shardsThenFinalizeGiveTheBytesOfOneRun() async throws {
        let dir = try TemporaryDirectory("resume")
        defer { dir.remove() }
        let (pipeline, plan) = try await plan(dir, dir.path("one.zarr"))
        _ = try await pipeline.run(plan, options: RunOptions(workers: 2))
        let (_, sharded) = try await self.plan(dir, dir.path("sharded.zarr"))
        // Finalizing before every shard ran names what is missing.
        var options = RunOptions(workers: 1)
        options.shard = try ShardSelection(index: 1, count: 3)
        let middle = try await pipeline.run(sharded, options: options)
        #expect(middle.shard.description == "1/3" && middle.tasks == (sharded.taskCount + 1) / 3)
        #expect(!FileManager.default.fileExists(atPath: dir.path("sharded.zarr")), "a shard publishes nothing")
        do {
            _ = try await pipeline.finalize(sharded)
            Issue.record("finalize succeeded with two shards missing")
        } catch let error as CubeError {
            #expect(error.message.contains("tasks are not recorded"), "\(error.message)")
        }
        for index in [0, 2] {
            options.shard = try ShardSelection(index: index, count: 3)
            _ = try await pipeline.run(sharded, options: options)
        }
        let finalized = try await pipeline.finalize(sharded)
        #expect(finalized.tasks == 0)
        let shardedCube = timeless(try cube(dir.path("sharded.zarr"))), oneCube = timeless(try cube(dir.path("one.zarr")))
        #expect(shardedCube == oneCube, "chunks, array documents, quick-looks, chunks.sha256 and task records; differ: \(differences(shardedCube, oneCube))")
    }

    @Test func anInterruptedRunResumesAndSkipsWhatWasDone() async throws {
        let dir = try TemporaryDirectory("resume")
        defer { dir.remove() }
        let (pipeline, plan) = try await plan(dir, dir.path("one.zarr"))
        _ = try await pipeline.run(plan, options: RunOptions(workers: 2))
        let (_, interrupted) = try await self.plan(dir, dir.path("r.zarr"))
        // Half the tasks done (as a killed run leaves them), plus a stray chunk it wrote without a record.
        var options = RunOptions(workers: 2)
        options.shard = try ShardSelection(index: 0, count: 2)
        _ = try await pipeline.run(interrupted, options: options)
        try Data([1, 2, 3]).write(to: URL(fileURLWithPath: dir.path("r.zarr.cubegen-partial/tas/9.9.9")))
        let resumed = try await pipeline.run(interrupted, options: RunOptions(workers: 2))
        #expect(resumed.tasksSkipped == (plan.taskCount + 1) / 2 && resumed.tasks == plan.taskCount / 2)
        #expect(resumed.summary.contains("recorded tasks skipped"))
        let resumedCube = timeless(try cube(dir.path("r.zarr"))), oneCube = timeless(try cube(dir.path("one.zarr")))
        #expect(resumedCube == oneCube, "differ: \(differences(resumedCube, oneCube))")
        #expect(!FileManager.default.fileExists(atPath: dir.path("r.zarr/tas/9.9.9")), "the stray chunk was swept")
        // A record whose chunk was lost is not trusted: the task is redone.
        let (_, again) = try await self.plan(dir, dir.path("s.zarr"))
        for index in 0..<2 {
            options.shard = try ShardSelection(index: index, count: 2)
            _ = try await pipeline.run(again, options: options)
        }
        try FileManager.default.removeItem(atPath: dir.path("s.zarr.cubegen-partial/tas/0.0.0"))
        let redone = try await pipeline.run(again, options: RunOptions(workers: 2))
        #expect(redone.tasks == 1 && redone.tasksSkipped == plan.taskCount - 1)
        let redoneCube = timeless(try cube(dir.path("s.zarr")))
        #expect(redoneCube == oneCube, "differ: \(differences(redoneCube, oneCube))")
    }

    @Test func shardSelectionIsBalancedAndReadsTheBatchEnvironment() throws {
        let shards = try (0..<4).map { try ShardSelection(index: $0, count: 4) }
        let counts = shards.map { shard in (0..<10).filter { shard.contains($0, of: 10) }.count }
        #expect(counts == [3, 3, 2, 2])
        #expect(Set((0..<10).map { k in shards.firstIndex { $0.contains(k, of: 10) }! }).count == 4)
        #expect(shards.map { $0.range(of: 10) } == [0..<3, 3..<6, 6..<8, 8..<10])
        #expect(try ShardSelection(parsing: "auto/4", environment: ["SLURM_ARRAY_TASK_ID": "3"]).index == 3)
        #expect(try ShardSelection(parsing: "auto/4", environment: ["JOB_COMPLETION_INDEX": "2"]).index == 2)
        #expect(throws: CubeError.self) { try ShardSelection(parsing: "auto/4", environment: [:]) }
        #expect(throws: CubeError.self) { try ShardSelection(parsing: "4/4") }
        #expect(throws: CubeError.self) { try ShardSelection(parsing: "x") }
    }
}
