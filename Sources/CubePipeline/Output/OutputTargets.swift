import CubeCore
import CubeStorage
import Foundation

/// Chooses the output target for a recipe's `output.path`.
enum OutputTargets {
    /// A local path (or `file://` URL) gives a `LocalOutput`; any other scheme an
    /// `ObjectStoreOutput` through the storage registry.
    /// - Throws: `CubeError` (`.invalidRecipe`) for a malformed URL, an unknown scheme or a
    ///   read-only backend; the message names `output.path`.
    static func make(path: String, options: StorageOptions, registry: StorageRegistry) throws -> any OutputTarget {
        let url: StorageURL
        do {
            url = try StorageURL(path)
        } catch {
            throw CubeError(.invalidRecipe, "output.path: \(error)", context: ["path": path])
        }
        if url.scheme == "file" { return LocalOutput(path: url.path) }
        do {
            return try ObjectStoreOutput(url: url, storage: try registry.openWritable(url, options: options))
        } catch let error as StorageError {
            throw CubeError(.invalidRecipe, "output.path: \(error)", context: ["path": path], underlying: error)
        }
    }
}
