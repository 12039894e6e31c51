import CubeCore
import CubeStorage
import Zarr

/// An xcube multi-resolution dataset (`NAME.levels/`): levels `0.zarr`, `1.zarr`, … each a Zarr
/// group at half the previous resolution, and a `.zlevels` document
/// (`{"version": "1.0", "num_levels": 3, …}`) giving their number.
///
/// Spec: xcube's `docs/source/mldatasets.md`. A level 0 stored as `0.link` (a path to the base
/// dataset, written by `xcube level --link`) is not supported.
struct ZarrPyramid: Sendable {
    /// The level directories, `0.zarr` first.
    var levels: [String]

    /// The most levels read.
    static let maximumLevels = 32

    /// Reads the pyramid's `.zlevels`, else finds consecutive `k.zarr` groups.
    /// - Returns: `nil` when the store is not a pyramid (no `.zlevels` and no `0.zarr` group).
    /// - Throws: `CubeError` naming `location` for a malformed `.zlevels` or a `0.link` level 0.
    static func find(in storage: any ReadableStorage, location: String) async throws -> ZarrPyramid? {
        if let document = try await storage.get(".zlevels") {
            let count = try levelCount(zlevels: document, location: location)
            if try await storage.get("0.link") != nil {
                throw CubeError(.unsupported, "'\(location)': level 0 is a link (0.link) to another dataset; use that dataset or write the level",
                                context: ["file": location])
            }
            return ZarrPyramid(levels: (0..<count).map { "\($0).zarr" })
        }
        var levels: [String] = []
        while levels.count < maximumLevels, try await isGroup(PrefixedStorage(base: storage, prefix: "\(levels.count).zarr")) {
            levels.append("\(levels.count).zarr")
        }
        return levels.isEmpty ? nil : ZarrPyramid(levels: levels)
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
