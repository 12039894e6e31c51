import CubeCore
import Foundation

/// The sample output folder: written into `NAME.cubegen-partial` and moved into place when every
/// split is written; an existing folder is replaced only with `overwrite` and only when it is a
/// sample output (it holds `manifest.json` written by `cubegen sample`).
struct SampleOutput {
    static let manifestName = "manifest.json"
    let final: URL
    let staging: URL
    private let overwrite: Bool

    /// - Throws: `CubeError` for an object-store URL (not supported yet) or an existing output
    ///   that may not be replaced.
    init(path: String, overwrite: Bool) throws {
        if path.contains("://") {
            throw CubeError(.unsupported, "ml output '\(path)' is a URL; samples are written to a local folder (not supported yet on object storage)",
                            context: ["path": path])
        }
        final = URL(fileURLWithPath: path).standardizedFileURL
        staging = URL(fileURLWithPath: path + ".cubegen-partial").standardizedFileURL
        self.overwrite = overwrite
        let fm = FileManager.default
        guard fm.fileExists(atPath: final.path) else { return }
        guard overwrite else {
            throw CubeError(.outputExists, "sample output '\(final.path)' already exists; pass --overwrite to replace it", context: ["path": final.path])
        }
        let manifest = final.appendingPathComponent(Self.manifestName)
        guard let data = fm.contents(atPath: manifest.path), String(decoding: data, as: UTF8.self).contains("\"block_grid\"") else {
            throw CubeError(.outputExists, "'\(final.path)' is not a sample output (no manifest.json of cubegen sample); nothing was touched",
                            context: ["path": final.path])
        }
    }

    /// An empty staging folder.
    func prepareStaging() throws -> URL {
        let fm = FileManager.default
        do {
            if fm.fileExists(atPath: staging.path) { try fm.removeItem(at: staging) }
            try fm.createDirectory(at: staging, withIntermediateDirectories: true)
        } catch {
            throw CubeError(.io, "cannot prepare '\(staging.path)': \(error.localizedDescription)", context: ["path": staging.path])
        }
        return staging
    }

    /// Moves the finished staging folder into place (replacing a previous sample output).
    func publish() throws {
        let fm = FileManager.default
        do {
            if fm.fileExists(atPath: final.path) { try fm.removeItem(at: final) }
            try fm.moveItem(at: staging, to: final)
        } catch {
            throw CubeError(.io, "cannot move the samples to '\(final.path)': \(error.localizedDescription)", context: ["path": final.path])
        }
    }

    /// Removes the staging folder after a failure.
    func discard() { try? FileManager.default.removeItem(at: staging) }
}
