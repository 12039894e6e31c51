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

    /// The lock file beside the cube (`NAME.zarr.cubegen-lock`).
    var lease: (storage: any Storage, key: StoreKey) {
        let file = URL(fileURLWithPath: leaseDescription)  // `/.cubegen-lock` for `/`, which has no last component
        return (FileSystemStorage(root: file.deletingLastPathComponent()), StoreKey(file.lastPathComponent))
    }

    var leaseDescription: String { final.path + ".cubegen-lock" }

    func unfinished() async throws -> (any Storage)? {
        FileManager.default.fileExists(atPath: staging.appendingPathComponent(Self.stagingMarker).path) ? FileSystemStorage(root: staging) : nil
    }

    /// Checks the output can be written without destroying anything but a cube, then prepares
    /// an empty staging folder.
    func published() async throws -> (any Storage)? {
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: final.path, isDirectory: &isDirectory), isDirectory.boolValue else { return nil }
        return FileSystemStorage(root: final)
    }

    func check(overwrite: Bool, update: Bool) async throws {
        if exists && !overwrite && !update {
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
    }

    func prepare(overwrite: Bool, keep: Bool, update: Bool) async throws -> any Storage {
        try await check(overwrite: overwrite, update: update)
        let fm = FileManager.default
        do {
            try fm.createDirectory(at: final.deletingLastPathComponent(), withIntermediateDirectories: true)
            // An unfinished run's staging folder is kept: its task records make this run resume.
            if fm.fileExists(atPath: staging.path) && !keep { try fm.removeItem(at: staging) }
            try fm.createDirectory(at: staging, withIntermediateDirectories: true)
            fm.createFile(atPath: staging.appendingPathComponent(Self.stagingMarker).path, contents: Data())
            if update { try linkPublished() }
        } catch {
            throw CubeError(.io, "cannot prepare '\(staging.path)': \(error.localizedDescription)", underlying: error)
        }
        return FileSystemStorage(root: staging)
    }

    /// Hard-links every file of the published cube into the staging folder (copies where the file
    /// system has no hard links), except those already there: an in-place update starts from the
    /// published chunks and task records without copying bytes or touching the published cube
    /// (every write replaces a file by rename, never rewrites a linked one).
    private func linkPublished() throws {
        let fm = FileManager.default
        for relative in try fm.subpathsOfDirectory(atPath: final.path) where relative != CubeExecutor.finalizedKey {
            let source = final.appendingPathComponent(relative), target = staging.appendingPathComponent(relative)
            var isDirectory: ObjCBool = false
            guard fm.fileExists(atPath: source.path, isDirectory: &isDirectory), !isDirectory.boolValue,
                  !fm.fileExists(atPath: target.path) else { continue }
            try fm.createDirectory(at: target.deletingLastPathComponent(), withIntermediateDirectories: true)
            do {
                try fm.linkItem(at: source, to: target)
            } catch where fm.fileExists(atPath: target.path) {
                continue   // a concurrent shard linked it first
            } catch {
                try fm.copyItem(at: source, to: target)
            }
        }
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
