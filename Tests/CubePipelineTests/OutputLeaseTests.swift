import CubeFixtures
import CubeGen
import CubeSamples
import Foundation
import Testing

/// Two runs on one output: the second refuses while the first lives, and takes over from one
/// that is gone. `cubegen status` reports recorded and missing tasks.
@Suite(.serialized) struct OutputLeaseTests {
    private func setUp(_ dir: TemporaryDirectory) throws -> String {
        try LinearFields.dataset(resolution: 2, days: [7305, 7306, 7307, 7308]).write(to: dir.path("in.nc"))
        return try dir.write("recipe.yaml", """
            version: 1
            cube: {id: lease-test, title: Lease test, license: CC0-1.0}
            grid: {crs: EPSG:4326, bbox: [0, 40, 10, 50], resolution: 1}
            sources:
              - {name: src, store: netcdf, paths: [in.nc], variables: {tas: {}}}
            output: {path: \(dir.path("cube.zarr")), chunks: {time: 2, y: 5, x: 5}}
            """)
    }

    private func writeLock(_ dir: TemporaryDirectory, host: String, pid: Int32, expires: TimeInterval) throws {
        let text = #"{"host": "\#(host)", "pid": \#(pid), "started": "2026-01-01T00:00:00Z", "expires": \#(expires)}"#
        try text.write(toFile: dir.path("cube.zarr.cubegen-lock"), atomically: true, encoding: .utf8)
    }

    @Test func aLiveRunIsRefusedAndAGoneOneIsTakenOver() async throws {
        let dir = try TemporaryDirectory("lease")
        defer { dir.remove() }
        let pipeline = Pipeline()
        let plan = try await pipeline.plan(try pipeline.load(recipeAt: try setUp(dir)))
        let sleeper = Process()
        sleeper.executableURL = URL(fileURLWithPath: "/bin/sleep")
        sleeper.arguments = ["60"]
        try sleeper.run()
        let host = ProcessInfo.processInfo.hostName, later = Date().timeIntervalSince1970 + 600
        // A live process on this host holds it.
        try writeLock(dir, host: host, pid: sleeper.processIdentifier, expires: later)
        do {
            _ = try await pipeline.run(plan)
            Issue.record("a second run wrote while the first held the lease")
        } catch let error as CubeError {
            #expect(error.message.contains("is being written by another run (process \(sleeper.processIdentifier) on \(host)")
                    && error.message.contains("cube.zarr.cubegen-lock"), "\(error.message)")
        }
        #expect(!FileManager.default.fileExists(atPath: dir.path("cube.zarr")) && !FileManager.default.fileExists(atPath: dir.path("cube.zarr.cubegen-partial")))
        let status = try await pipeline.status(plan)
        #expect(status.holder?.contains("process \(sleeper.processIdentifier)") == true && status.state == .absent)
        // Another host's unexpired lease is respected; shards refuse too.
        try writeLock(dir, host: "elsewhere.example", pid: 1, expires: later)
        var shardOptions = RunOptions(workers: 1)
        shardOptions.shard = try ShardSelection(index: 0, count: 2)
        await #expect(throws: CubeError.self) { _ = try await pipeline.run(plan, options: shardOptions) }
        // Gone: the process ended (after kill -9), or another host's lease expired.
        kill(sleeper.processIdentifier, SIGKILL)
        sleeper.waitUntilExit()
        try writeLock(dir, host: host, pid: sleeper.processIdentifier, expires: later)
        _ = try await pipeline.run(plan)
        #expect(!FileManager.default.fileExists(atPath: dir.path("cube.zarr.cubegen-lock")), "the lease is released")
        try writeLock(dir, host: "elsewhere.example", pid: 1, expires: Date().timeIntervalSince1970 - 1)
        _ = try await pipeline.run(plan, options: RunOptions(overwrite: true, force: true))
        #expect(!FileManager.default.fileExists(atPath: dir.path("cube.zarr.cubegen-lock")))
    }

    /// A live run that has just made its staging folder, before marking it, is named as the
    /// holder; its folder is not judged "not made by CubeGen" nor touched.
    @Test func aLiveRunPreparingItsStagingFolderIsNamed() async throws {
        let dir = try TemporaryDirectory("lease")
        defer { dir.remove() }
        let pipeline = Pipeline()
        let plan = try await pipeline.plan(try pipeline.load(recipeAt: try setUp(dir)))
        try FileManager.default.createDirectory(atPath: dir.path("cube.zarr.cubegen-partial"), withIntermediateDirectories: false)
        try writeLock(dir, host: ProcessInfo.processInfo.hostName, pid: getpid(), expires: Date().timeIntervalSince1970 + 600)
        do {
            _ = try await pipeline.run(plan)
            Issue.record("a second run wrote while the first held the lease")
        } catch let error as CubeError {
            #expect(error.message.contains("is being written by another run (process \(getpid())"), "\(error.message)")
        }
        #expect(try FileManager.default.contentsOfDirectory(atPath: dir.path("cube.zarr.cubegen-partial")).isEmpty)
        #expect(FileManager.default.fileExists(atPath: dir.path("cube.zarr.cubegen-lock")))
        // With the holder gone, the unmarked folder is refused as before.
        try FileManager.default.removeItem(atPath: dir.path("cube.zarr.cubegen-lock"))
        do {
            _ = try await pipeline.run(plan)
            Issue.record("an unmarked staging folder was taken")
        } catch let error as CubeError {
            #expect(error.message.contains("was not made by CubeGen"), "\(error.message)")
        }
    }

    @Test func statusCountsRecordedAndMissingTasks() async throws {
        let dir = try TemporaryDirectory("lease")
        defer { dir.remove() }
        let pipeline = Pipeline()
        let plan = try await pipeline.plan(try pipeline.load(recipeAt: try setUp(dir)))
        var status = try await pipeline.status(plan)
        #expect(status.state == .absent && status.missing.count == plan.taskCount && status.tasksTotal == 8 && !status.upToDate)
        var options = RunOptions(workers: 1)
        options.shard = try ShardSelection(index: 1, count: 2)
        _ = try await pipeline.run(plan, options: options)
        status = try await pipeline.status(plan)
        #expect(status.state == .unfinished && status.tasksRecorded == 4 && status.missing.count == 4)
        #expect(status.summary.contains("tasks: 4 of 8 recorded"))
        _ = try await pipeline.run(plan)
        status = try await pipeline.status(plan)
        #expect(status.state == .published && status.upToDate && status.missing.isEmpty && status.changes.isEmpty)
        #expect(status.summary.contains("up to date: yes"))
    }
}
