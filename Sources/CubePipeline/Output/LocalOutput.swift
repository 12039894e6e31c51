import CubeCore
import CubeStorage
import Foundation

/// Where a cube is built and how it replaces what was there.
///
/// Chunks and metadata go to a staging folder beside the output (`NAME.cubegen-partial`, marked
/// by a `.cubegen-staging` file); only a complete cube is moved into place. An existing output is
/// refused unless `overwrite` is set, and even then only a Zarr cube is replaced
/// (`ReplaceableOutput`), and it stays untouched until the new cube is complete.
struct LocalOutput: OutputTarget {
    let final: URL
    let staging: URL
    let previous: URL

    /// The file that marks a staging folder as CubeGen's own.
    static let stagingMarker = ReplaceableOutput.stagingMarker

    init(path: String) {
        final = URL(fileURLWithPath: path).standardizedFileURL
        staging = URL(fileURLWithPath: path + ".cubegen-partial").standardizedFileURL
        previous = URL(fileURLWithPath: path + ".cubegen-old").standardizedFileURL
    }

    var exists: Bool { FileManager.default.fileExists(atPath: final.path) }

    /// The path as given.
    var location: String { final.path }

    /// The published cube's folder.
    var url: URL { final }

    /// Checks the output can be written without destroying anything but a cube, then prepares
    /// an empty staging folder.
    func published() async throws -> (any Storage)? {
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: final.path, isDirectory: &isDirectory), isDirectory.boolValue else { return nil }
        return FileSystemStorage(root: final)
    }

    func prepare(overwrite: Bool, keep: Bool) async throws -> any Storage {
        if exists && !overwrite {
            throw CubeError(.outputExists,
                "output '\(final.path)' already exists; set output.overwrite: true or pass --overwrite to replace it",
                context: ["path": final.path])
        }
        try ReplaceableOutput.checkZarrHierarchy(final, role: "output.path")
        try ReplaceableOutput.checkZarrHierarchy(previous, role: "the previous-cube folder")
        let fm = FileManager.default
        if fm.fileExists(atPath: staging.path) && !fm.fileExists(atPath: staging.appendingPathComponent(Self.stagingMarker).path) {
            throw CubeError(.outputExists,
                "staging folder '\(staging.path)' exists and was not made by CubeGen; move it away, nothing was touched",
                context: ["path": staging.path])
        }
        do {
            try fm.createDirectory(at: final.deletingLastPathComponent(), withIntermediateDirectories: true)
            // An unfinished run's staging folder is kept: its task records make this run resume.
            if fm.fileExists(atPath: staging.path) && !keep { try fm.removeItem(at: staging) }
            try fm.createDirectory(at: staging, withIntermediateDirectories: true)
            fm.createFile(atPath: staging.appendingPathComponent(Self.stagingMarker).path, contents: Data())
        } catch {
            throw CubeError(.io, "cannot prepare '\(staging.path)': \(error.localizedDescription)", underlying: error)
        }
        return FileSystemStorage(root: staging)
    }

    /// Sweeps the staging folder: whatever an earlier, interrupted run left that the finished
    /// cube does not hold.
    func beforeMetadata(written kept: Set<String>) async throws {
        let storage = FileSystemStorage(root: staging)
        for key in try await storage.list(prefix: "") where !kept.contains(key.rawValue) && key.rawValue != Self.stagingMarker {
            try await storage.delete(key)
        }
    }

    /// Moves the finished staging folder into place, replacing an existing output.
    func publish() async throws {
        let fm = FileManager.default
        do {
            try fm.removeItem(at: staging.appendingPathComponent(Self.stagingMarker))
            if fm.fileExists(atPath: previous.path) { try fm.removeItem(at: previous) }
            if exists { try fm.moveItem(at: final, to: previous) }
            try fm.moveItem(at: staging, to: final)
            if fm.fileExists(atPath: previous.path) { try fm.removeItem(at: previous) }
        } catch {
            throw CubeError(.io, "cannot move the finished cube to '\(final.path)': \(error.localizedDescription)", underlying: error)
        }
    }

    /// After a failure the output is as it was. The staging folder is kept when it holds finished
    /// tasks (a run again resumes from them), removed otherwise.
    func discard() async -> String? {
        let records = (try? FileManager.default.contentsOfDirectory(atPath: staging.appendingPathComponent(TaskRecord.folder).path)) ?? []
        guard !records.isEmpty else {
            try? FileManager.default.removeItem(at: staging)
            return nil
        }
        return "kept '\(staging.path)' with \(records.count) finished tasks: run again to resume"
    }
}
