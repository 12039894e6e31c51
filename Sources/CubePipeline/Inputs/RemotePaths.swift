import CubeCore
import CubeStorage
import Foundation

/// Expands a source's remote `paths` entry (`s3://bucket/prefix/*.nc`, `https://host/a.nc`) into
/// objects, through the storage registry: a pattern with wildcards lists its longest literal prefix
/// and keeps the keys that match (`KeyPattern`); a plain URL names one object. Every object is
/// inspected (HEAD) for its size and entity tag.
enum RemotePaths {
    /// HEAD requests in flight while inspecting the matches of a pattern.
    static let inspectionConcurrency = 16

    /// Whether `path` is a URL of a scheme other than `file`.
    static func isRemote(_ path: String) -> Bool {
        guard let separator = path.range(of: "://") else { return false }
        return path[..<separator.lowerBound].lowercased() != "file"
    }

    /// The objects `pattern` names, sorted by URL; empty when a pattern with wildcards matches nothing.
    /// - Throws: `CubeError` naming the URL: malformed, unknown scheme, listing refused or failed,
    ///   a plain URL that does not exist, wildcards on a store that cannot list.
    static func expand(_ pattern: String, options: StorageOptions, registry: StorageRegistry) async throws -> [RemoteObject] {
        let url: StorageURL
        let storage: any ReadableStorage
        do {
            url = try StorageURL(pattern)
            storage = try registry.open(try StorageURL("\(url.scheme)://\(url.authority)"), options: options)
        } catch {
            throw StorageFailure.wrap(error, url: pattern)
        }
        let base = "\(url.scheme)://\(url.authority)/"
        guard !url.path.isEmpty else {
            throw CubeError(.invalidInput, "'\(pattern)' names no object: write '\(base)path/file.nc'", context: ["url": pattern])
        }
        let keyPattern = KeyPattern(url.path)
        guard keyPattern.hasWildcards else {
            let key = StoreKey(url.path)
            let object = try await inspect(key, url: base + key.rawValue, storage: storage)
            guard let object else {
                throw CubeError(.invalidInput, "'\(base + key.rawValue)' does not exist", context: ["url": base + key.rawValue])
            }
            return [object]
        }
        guard let listable = storage as? any ListableStorage else {
            throw CubeError(.invalidInput,
                            "'\(pattern)' has wildcards but '\(url.scheme)' cannot list objects: name each object", context: ["url": pattern])
        }
        let keys: [StoreKey]
        do {
            keys = try await listable.list(prefix: keyPattern.literalPrefix).filter { keyPattern.matches($0.rawValue) }
        } catch {
            throw StorageFailure.wrap(error, url: pattern)
        }
        var objects: [RemoteObject] = []
        try await withThrowingTaskGroup(of: RemoteObject?.self) { group in
            var next = 0
            func start() {
                guard next < keys.count else { return }
                let key = keys[next]
                next += 1
                group.addTask { try await inspect(key, url: base + key.rawValue, storage: storage) }
            }
            for _ in 0..<inspectionConcurrency { start() }
            while let object = try await group.next() {
                // An object deleted between the listing and its HEAD is no longer a match.
                if let object { objects.append(object) }
                start()
            }
        }
        return objects.sorted { $0.url < $1.url }
    }

    /// The object at `key` with its size and entity tag, or `nil` when there is none.
    static func inspect(_ key: StoreKey, url: String, storage: any ReadableStorage) async throws -> RemoteObject? {
        do {
            guard let info = try await storage.head(key) else { return nil }
            return RemoteObject(url: url, storage: storage, key: key, info: info)
        } catch {
            throw StorageFailure.wrap(error, url: url)
        }
    }
}
