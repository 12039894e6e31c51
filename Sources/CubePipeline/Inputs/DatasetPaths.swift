import CubeCore
import CubeStorage
import Foundation

/// Expands a source's `paths` entry for a `StorageDataStore` (Zarr), whose datasets are directories
/// or key prefixes read in place: local globs match directories; a remote URL (`s3://`,
/// `https://`) names one dataset (its prefix), opened through the storage registry with the
/// source's `storage_options`. Nothing is listed or downloaded here.
enum DatasetPaths {
    /// The datasets `pattern` names, by location, with their storage; empty when a local glob
    /// matches no directory.
    /// - Throws: `CubeError` naming the URL: malformed, unknown scheme, wildcards in a URL.
    static func expand(_ pattern: String, options: StorageOptions,
                       registry: StorageRegistry) throws -> [(location: String, storage: any ReadableStorage)] {
        guard RemotePaths.isRemote(pattern) else {
            let local = pattern.hasPrefix("file://") ? String(pattern.dropFirst(7)) : pattern
            return try FileGlob.expand(local, directories: true).map { path in
                (path, try open(path, options: options, registry: registry))
            }
        }
        if KeyPattern(pattern).hasWildcards {
            throw CubeError(.unsupported, "'\(pattern)': wildcards in dataset URLs are not supported yet; name each dataset",
                            context: ["url": pattern])
        }
        return [(pattern, try open(pattern, options: options, registry: registry))]
    }

    private static func open(_ location: String, options: StorageOptions, registry: StorageRegistry) throws -> any ReadableStorage {
        do {
            let url = try StorageURL(location)
            if url.scheme != "file" && url.path.isEmpty {
                throw CubeError(.invalidInput, "'\(location)' is a bucket or site root; name the dataset's prefix", context: ["url": location])
            }
            return try registry.open(url, options: options)
        } catch {
            throw StorageFailure.wrap(error, url: location)
        }
    }
}
