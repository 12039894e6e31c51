import CubeCore
import CubeStorage
import Foundation

/// Expands a source's `paths` entry for a `StorageDataStore` (Zarr), whose datasets are directories
/// or key prefixes read in place: local globs match directories; a remote URL (`s3://`,
/// `https://`) names one dataset (its prefix), opened through the storage registry with the
/// source's `storage_options`. Nothing is listed or downloaded here.
enum DatasetPaths {
    /// The datasets `pattern` names, by location, with their storage; empty when a local glob
    /// matches nothing.
    /// - Throws: `CubeError` naming the URL or file: malformed, unknown scheme, wildcards in a URL,
    ///   a local pattern that matches only files.
    static func expand(_ pattern: String, options: StorageOptions,
                       registry: StorageRegistry) throws -> [(location: String, storage: any ReadableStorage)] {
        guard RemotePaths.isRemote(pattern) else {
            let local = pattern.hasPrefix("file://") ? String(pattern.dropFirst(7)) : pattern
            let directories = FileGlob.expand(local, directories: true)
            if directories.isEmpty, let file = FileGlob.expand(local).first {
                throw CubeError(.invalidInput, "'\(file)' is a file, not a dataset directory (a Zarr store is a folder)",
                                context: ["file": file])
            }
            return try directories.map { path in (path, try open(path, options: options, registry: registry)) }
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
