import CubeCore
import CubeStorage
import Foundation

/// Where a cube is built and how it replaces what was there.
///
/// Chunks and metadata go to a staging folder beside the output (`NAME.cubegen-partial`); only a
/// complete cube is moved into place. An existing output is refused unless `overwrite` is set, and
/// even then it stays untouched until the new cube is complete.
struct OutputLocation: Sendable {
    let final: URL
    let staging: URL

    init(path: String) {
        final = URL(fileURLWithPath: path).standardizedFileURL
        staging = URL(fileURLWithPath: path + ".cubegen-partial").standardizedFileURL
    }

    var exists: Bool { FileManager.default.fileExists(atPath: final.path) }

    /// Checks the output can be written and prepares an empty staging folder.
    func prepare(overwrite: Bool) throws -> FileSystemStorage {
        if exists && !overwrite {
            throw CubeError(.outputExists,
                "output '\(final.path)' already exists; set output.overwrite: true or pass --overwrite to replace it",
                context: ["path": final.path])
        }
        let fm = FileManager.default
        do {
            try fm.createDirectory(at: final.deletingLastPathComponent(), withIntermediateDirectories: true)
            if fm.fileExists(atPath: staging.path) { try fm.removeItem(at: staging) }
            try fm.createDirectory(at: staging, withIntermediateDirectories: true)
        } catch {
            throw CubeError(.io, "cannot prepare '\(staging.path)': \(error.localizedDescription)", underlying: error)
        }
        return FileSystemStorage(root: staging)
    }

    /// Moves the finished staging folder into place, replacing an existing output.
    func publish() throws {
        let fm = FileManager.default
        let old = URL(fileURLWithPath: final.path + ".cubegen-old")
        do {
            if fm.fileExists(atPath: old.path) { try fm.removeItem(at: old) }
            if exists { try fm.moveItem(at: final, to: old) }
            try fm.moveItem(at: staging, to: final)
            if fm.fileExists(atPath: old.path) { try fm.removeItem(at: old) }
        } catch {
            throw CubeError(.io, "cannot move the finished cube to '\(final.path)': \(error.localizedDescription)", underlying: error)
        }
    }

    /// Removes the staging folder after a failure.
    func discard() { try? FileManager.default.removeItem(at: staging) }
}
