import Foundation
import CubeCore
import CubeStorage
import Zarr

/// An xcube multi-resolution dataset (`NAME.levels/`): levels `0.zarr`, `1.zarr`, … each a Zarr
/// group at half the previous resolution, and a `.zlevels` document
/// (`{"version": "1.0", "num_levels": 3, …}`) giving their number.
///
/// Spec: xcube's `docs/source/mldatasets.md`. A level may be stored as `{i}.link` instead of
/// `{i}.zarr` (`xcube level --link` writes `0.link`): a text file holding the level's path relative
/// to the pyramid (`../cube.zarr`), followed through the storage (local folders and S3 prefixes).
struct ZarrPyramid: Sendable {
    /// One level: its path as written in the pyramid (`1.zarr`, or the link's target) and the
    /// storage rooted at it.
    struct Level: Sendable {
        /// `k.zarr`, or the text of `k.link`.
        var path: String
        /// The storage rooted at the level's group.
        var storage: any ReadableStorage
    }

    /// The levels, level 0 first.
    var levels: [Level]

    /// The most levels read.
    static let maximumLevels = 32

    /// Reads the pyramid's `.zlevels`, else finds consecutive `k.zarr` groups.
    /// - Returns: `nil` when the store is not a pyramid (no `.zlevels` and no `0.zarr` group).
    /// - Throws: `CubeError` naming `location` for a malformed `.zlevels` or a link that cannot be followed.
    static func find(in storage: any ReadableStorage, location: String) async throws -> ZarrPyramid? {
        if let document = try await storage.get(".zlevels") {
            let count = try levelCount(zlevels: document, location: location)
            var levels: [Level] = []
            for index in 0..<count {
                levels.append(try await level(index, in: storage, location: location))
            }
            return ZarrPyramid(levels: levels)
        }
        var levels: [Level] = []
        while levels.count < maximumLevels {
            let path = "\(levels.count).zarr"
            let level = PrefixedStorage(base: storage, prefix: path)
            guard try await isGroup(level) else { break }
            levels.append(Level(path: path, storage: level))
        }
        return levels.isEmpty ? nil : ZarrPyramid(levels: levels)
    }

    /// Level `index`: `{index}.link` when present, else `{index}.zarr`.
    private static func level(_ index: Int, in storage: any ReadableStorage, location: String) async throws -> Level {
        guard let link = try await storage.get(StoreKey("\(index).link")) else {
            return Level(path: "\(index).zarr", storage: PrefixedStorage(base: storage, prefix: "\(index).zarr"))
        }
        let target = String(decoding: link, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
        guard !target.isEmpty else {
            throw CubeError(.invalidInput, "'\(location)/\(index).link' is empty", context: ["file": location])
        }
        guard let relative = storage as? any RelativeStorage else {
            throw CubeError(.unsupported, "'\(location)/\(index).link' points to '\(target)', which this storage cannot follow (local folders and s3:// can)",
                            context: ["file": location])
        }
        do {
            return Level(path: target, storage: try relative.storage(atRelativePath: target))
        } catch let error as StorageError {
            throw CubeError(.invalidInput, "'\(location)/\(index).link' points to '\(target)': \(error.reason)", context: ["file": location])
        }
    }

    /// The number of levels a `.zlevels` document states.
    /// - Throws: `CubeError` naming `location` when it is not JSON with `num_levels` in 1…`maximumLevels`.
    static func levelCount(zlevels: [UInt8], location: String) throws -> Int {
        let json: JSONValue
        do {
            json = try JSONValue.parse(zlevels)
        } catch {
            throw CubeError(.invalidInput, "'\(location)/.zlevels' is not JSON: \(error)", context: ["file": location])
        }
        guard let count = json["num_levels"]?.intValue, (1...maximumLevels).contains(count) else {
            throw CubeError(.invalidInput,
                "'\(location)/.zlevels' has no num_levels between 1 and \(maximumLevels) (got \(json["num_levels"]?.serialized(indent: 0) ?? "none"))",
                context: ["file": location])
        }
        return count
    }

    /// Whether the store holds a Zarr group at its root.
    private static func isGroup(_ storage: any ReadableStorage) async throws -> Bool {
        for key: StoreKey in ["zarr.json", ".zmetadata", ".zgroup"] where try await storage.head(key) != nil { return true }
        return false
    }
}
