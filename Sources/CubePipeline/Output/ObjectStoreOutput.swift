import CubeCore
import CubeStorage
import Foundation

/// A cube written to an object store (`s3://bucket/prefix/NAME.zarr`): chunks go straight to
/// their final keys and the consolidated metadata is written last, so a reader never sees a
/// complete-looking partial cube.
///
/// An existing cube is untouched unless `overwrite` (or an in-place update of a compatible cube,
/// whose unchanged chunks stay where they are); then its consolidated metadata is removed
/// first (it stops looking complete), and before the new metadata is written every object of the
/// old cube this run did not rewrite is deleted, so no stale chunk survives. Anything under the
/// prefix that is not part of a Zarr cube (a foreign object, a bucket root) is refused before
/// anything is touched.
final class ObjectStoreOutput: OutputTarget {
    let location: String
    let url: URL
    let storage: any Storage

    /// The marker of an unfinished CubeGen run under the prefix (removed before the metadata).
    static let marker = ReplaceableOutput.stagingMarker

    /// An output at `url` (a prefix below a bucket), written through `storage` rooted there.
    init(url: StorageURL, storage: any Storage) throws {
        guard !url.path.isEmpty else {
            throw CubeError(.invalidRecipe, "output.path '\(url.text)' is a bucket root; name a prefix such as '\(url.text.hasSuffix("/") ? url.text : url.text + "/")NAME.zarr'",
                            context: ["path": url.text])
        }
        location = url.text
        self.url = URL(string: "\(url.scheme)://\(url.authority)/\(url.path)")!
        self.storage = storage
    }

    /// The lease object inside the cube's prefix.
    static let leaseKey = ".cubegen/lease.json"

    var lease: (storage: any Storage, key: StoreKey) { (storage, StoreKey(Self.leaseKey)) }

    var leaseDescription: String { location.hasSuffix("/") ? location + Self.leaseKey : location + "/" + Self.leaseKey }

    func unfinished() async throws -> (any Storage)? {
        try await storage.head(StoreKey(Self.marker)) != nil ? storage : nil
    }

    func published() async throws -> (any Storage)? {
        for root in [".zmetadata", "zarr.json"] where try await storage.head(StoreKey(root)) != nil { return storage }
        return nil
    }

    func check(overwrite: Bool, update: Bool) async throws {
        _ = try await existing(overwrite: overwrite, update: update)
    }

    /// The keys under the prefix (the lease's aside), once checked to be replaceable.
    private func existing(overwrite: Bool, update: Bool) async throws -> [String] {
        let keys = try await storage.list(prefix: "").map(\.rawValue).filter { $0 != Self.leaseKey }
        if !keys.isEmpty {
            let hasGroup = keys.contains(where: ReplaceableOutput.groupDocuments.contains)
            // The marker stays until the consolidated metadata is written: a run killed anywhere
            // before that left an unfinished cube, which the next run resumes without overwrite.
            let unfinished = keys.contains(Self.marker) && !keys.contains(".zmetadata") && !keys.contains("zarr.json")
            if !overwrite && !unfinished && !update {
                throw CubeError(.outputExists,
                    "output '\(location)' already exists (\(keys.count) objects); set output.overwrite: true or pass --overwrite to replace it",
                    context: ["path": location])
            }
            if let foreign = keys.first(where: { !ReplaceableOutput.isZarrOrCubegenKey($0) }) {
                throw CubeError(.outputExists,
                    "output.path '\(location)' holds '\(foreign)', which is not part of a Zarr cube; overwrite replaces only a cube, so nothing was touched",
                    context: ["path": location])
            }
            if !unfinished && !hasGroup {
                throw CubeError(.outputExists,
                    "output.path '\(location)' holds \(keys.count) objects but no Zarr group (.zgroup or zarr.json); overwrite replaces only a cube, so nothing was touched",
                    context: ["path": location])
            }
        }
        return keys
    }

    func prepare(overwrite: Bool, keep: Bool, update: Bool) async throws -> any Storage {
        let keys = try await existing(overwrite: overwrite, update: update)
        if !keys.isEmpty {
            // The old cube stops looking complete before anything of it changes.
            for root in [".zmetadata", "zarr.json", ".zgroup"] where keys.contains(root) {
                try await storage.delete(StoreKey(root))
            }
        }
        try await storage.set(StoreKey(Self.marker), to: Array("cubegen run in progress\n".utf8))
        return storage
    }

    func beforeMetadata(written kept: Set<String>) async throws {
        let stale = try await storage.list(prefix: "").map(\.rawValue).filter { !kept.contains($0) && $0 != Self.marker && $0 != Self.leaseKey }
        let storage = self.storage
        try await withThrowingTaskGroup(of: Void.self) { group in
            var pending = stale.makeIterator()
            for _ in 0..<16 {
                guard let key = pending.next() else { break }
                group.addTask { try await storage.delete(StoreKey(key)) }
            }
            while try await group.next() != nil {
                if let key = pending.next() { group.addTask { try await storage.delete(StoreKey(key)) } }
            }
        }
    }

    /// Removes the run marker: the consolidated metadata, written last, is the commit point, and
    /// until the marker is gone the next run treats the cube as unfinished (and finalizes again).
    func publish() async throws {
        try await storage.delete(StoreKey(Self.marker))
    }

    func discard() async -> String? {
        guard let count = try? await storage.list(prefix: "").filter({ $0.rawValue != Self.leaseKey }).count, count > 0 else { return nil }
        return "'\(location)' holds \(count) objects of the unfinished run and no consolidated metadata (not a cube); run again to replace them"
    }
}
