import Foundation

/// A store that can open the store at a path relative to its own root, as a relative link in a
/// dataset (xcube's `0.link`: `../cube.zarr`) needs: `..` steps up, `.` and empty components are
/// ignored.
public protocol RelativeStorage: ReadableStorage {
    /// The store rooted at `path`, relative to this store's root.
    /// - Throws: `StorageError` (`.invalid`) when the path leaves what the store can reach (above a
    ///   bucket's root) or is absolute.
    func storage(atRelativePath path: String) throws -> any ReadableStorage
}

/// Resolving relative key paths.
public enum RelativeKeyPath {
    /// `relative` applied to the key prefix `base` (components joined with `/`); a result that
    /// climbs above `base`'s root keeps its leading `..` components.
    /// - Throws: `StorageError` (`.invalid`) for an absolute path.
    public static func resolve(_ relative: String, from base: String) throws -> String {
        guard !relative.hasPrefix("/") else {
            throw StorageError(operation: "follow link", location: relative, reason: "an absolute path; a link must be relative", code: .invalid)
        }
        var parts = base.split(separator: "/").map(String.init)
        var climbs = 0
        for component in relative.split(separator: "/").map(String.init) {
            switch component {
            case "", ".": continue
            case "..":
                if parts.isEmpty { climbs += 1 } else { parts.removeLast() }
            default: parts.append(component)
            }
        }
        return (Array(repeating: "..", count: climbs) + parts).joined(separator: "/")
    }
}

extension FileSystemStorage: RelativeStorage {
    /// The directory at `path` relative to the root (`..` steps up from the root too).
    public func storage(atRelativePath path: String) throws -> any ReadableStorage {
        let resolved = try RelativeKeyPath.resolve(path, from: "")
        return FileSystemStorage(root: root.appendingPathComponent(resolved))
    }
}

extension PrefixedStorage: RelativeStorage {
    /// The view of the base store at `path` relative to the prefix; a path that climbs above the
    /// base's root is resolved by the base, when it can.
    public func storage(atRelativePath path: String) throws -> any ReadableStorage {
        let resolved = try RelativeKeyPath.resolve(path, from: prefix)
        if resolved.isEmpty { return base }
        if !resolved.hasPrefix("..") { return PrefixedStorage(base: base, prefix: resolved) }
        guard let relative = base as? any RelativeStorage else {
            throw StorageError(operation: "follow link", location: path, reason: "it leaves the store, which cannot open paths outside it",
                               code: .invalid)
        }
        return try relative.storage(atRelativePath: resolved)
    }
}
