import CubeCore
import Foundation

/// Decides whether something already at an output path may be replaced: only a Zarr hierarchy
/// (ideally one CubeGen wrote) and only STAC documents beside it. Anything else — a file, a
/// folder of other files, `/`, the home folder — is refused with a one-line error that says what
/// is there, before anything is touched.
enum ReplaceableOutput {
    /// Names a Zarr store may hold besides chunk keys: its metadata documents and the files
    /// CubeGen keeps inside a cube.
    static let zarrDocuments: Set<String> = [".zgroup", ".zarray", ".zattrs", ".zmetadata", "zarr.json"]
    static let cubegenFiles: Set<String> = ["lineage.json", "chunks.sha256", stagingMarker]
    /// The file (or object) that marks an unfinished CubeGen run: a staging folder, an S3 prefix.
    static let stagingMarker = ".cubegen-staging"
    /// The root documents of a Zarr group (v2 or v3) or of a root array.
    static let groupDocuments: Set<String> = [".zgroup", ".zarray", "zarr.json"]

    /// Throws unless `url` is absent or a Zarr hierarchy whose every file is a Zarr document, a
    /// chunk, or a file CubeGen writes into cubes.
    /// - Parameter role: what the path is, for the message ("output.path").
    static func checkZarrHierarchy(_ url: URL, role: String) throws {
        let fm = FileManager.default
        let path = url.standardizedFileURL.path
        var isDirectory: ObjCBool = false
        guard fm.fileExists(atPath: path, isDirectory: &isDirectory) else { return }
        try checkNotProtected(url, role: role)
        guard isDirectory.boolValue else {
            throw refusal(role, path, "is a file, not a Zarr store")
        }
        let top = (try? fm.contentsOfDirectory(atPath: path)) ?? []
        guard top.contains(where: groupDocuments.contains) else {
            let shown = top.sorted().prefix(3).joined(separator: ", ")
            throw refusal(role, path, top.isEmpty ? "is an empty folder, not a Zarr store"
                                                  : "is a folder that is not a Zarr store (it holds \(shown)\(top.count > 3 ? ", …" : ""))")
        }
        guard let walker = fm.enumerator(atPath: path) else { return }
        while let relative = walker.nextObject() as? String {
            var isFolder: ObjCBool = false
            guard fm.fileExists(atPath: path + "/" + relative, isDirectory: &isFolder), !isFolder.boolValue else { continue }
            guard isZarrOrCubegenKey(relative) else {
                throw refusal(role, path, "is a Zarr store that also holds '\(relative)', which is not part of a cube")
            }
        }
    }

    /// Throws when `url` exists and is not a STAC JSON document (an object with `stac_version`).
    static func checkSTACDocument(_ url: URL, role: String) throws {
        let path = url.standardizedFileURL.path
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) else { return }
        try checkNotProtected(url, role: role)
        guard !isDirectory.boolValue else { throw refusal(role, path, "is a folder, not a STAC document") }
        guard let data = FileManager.default.contents(atPath: path),
              let object = try? JSONSerialization.jsonObject(with: data) as? [String: Any], object["stac_version"] != nil
        else {
            throw refusal(role, path, "is a file that is not a STAC document")
        }
    }

    /// Whether a relative path inside a store is a Zarr document, a chunk key (v2 `0.1.2`, v3
    /// `c/0/1/2`, a 0-d array's `c`, or a shard), or a file CubeGen writes into cubes.
    static func isZarrOrCubegenKey(_ relative: String) -> Bool {
        let parts = relative.split(separator: "/").map(String.init)
        guard let last = parts.last else { return false }
        if zarrDocuments.contains(last) { return true }
        if parts.count == 1 && cubegenFiles.contains(last) { return true }
        // Task records and the finalized digest (resumable, sharded runs).
        if parts.first == ".cubegen" && parts.count <= 3 && (last == "finalized" || last.hasSuffix(".json")) { return true }
        if parts.count == 2 && parts[0] == "quicklooks" && last.hasSuffix(".png") { return true }
        // A 0-d array's only chunk in v3 (`crs/c`).
        if parts.count >= 2 && last == "c" { return true }
        // v2 chunk keys: dot-separated integers; v3 keys: `c` then one integer per segment.
        if last.split(separator: ".", omittingEmptySubsequences: false).allSatisfy({ !$0.isEmpty && $0.allSatisfy(\.isNumber) }) {
            if parts.count >= 2, let c = parts.lastIndex(of: "c"), c < parts.count - 1 {
                return parts[(c + 1)...].allSatisfy { $0.allSatisfy(\.isNumber) }
            }
            return true
        }
        return false
    }

    /// Throws for `/`, the home folder, the working folder and their ancestors.
    private static func checkNotProtected(_ url: URL, role: String) throws {
        let path = url.standardizedFileURL.resolvingSymlinksInPath().path
        let protected = [NSHomeDirectory(), FileManager.default.currentDirectoryPath]
            .map { URL(fileURLWithPath: $0).standardizedFileURL.resolvingSymlinksInPath().path }
        for folder in protected where folder == path || folder.hasPrefix(path == "/" ? "/" : path + "/") {
            throw refusal(role, url.path, "is \(folder == path ? "" : "an ancestor of ")\(folder == NSHomeDirectory() ? "the home folder" : "the working folder")")
        }
        if path == "/" { throw refusal(role, path, "is the root folder") }
    }

    private static func refusal(_ role: String, _ path: String, _ what: String) -> CubeError {
        CubeError(.outputExists, "\(role) '\(path)' \(what); overwrite replaces only a Zarr cube, so nothing was touched",
                  context: ["path": path])
    }
}
