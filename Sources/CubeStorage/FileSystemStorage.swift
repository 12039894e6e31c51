public import Foundation

/// A store in a directory of the local file system: key `a/b/c` is the file `ROOT/a/b/c`.
///
/// Writes go to a temporary file in the same directory and are renamed into place, so a reader
/// never sees a partly written value. Directories are created as needed.
public struct FileSystemStorage: Storage {
    /// The directory holding the store.
    public let root: URL

    /// Creates a store rooted at `root` (which need not exist yet).
    public init(root: URL) { self.root = root.standardizedFileURL }

    private func url(_ key: StoreKey) -> URL { root.appendingPathComponent(key.rawValue) }

    /// Returns the contents of the file for `key`, or `nil` if there is no such file.
    public func get(_ key: StoreKey) async throws -> [UInt8]? {
        let path = url(key).path
        guard FileManager.default.fileExists(atPath: path) else { return nil }
        do {
            return [UInt8](try Data(contentsOf: url(key)))
        } catch {
            throw StorageError(operation: "read", location: path, reason: error.localizedDescription)
        }
    }

    /// Writes `value` to the file for `key` atomically.
    public func set(_ key: StoreKey, to value: [UInt8]) async throws {
        let target = url(key)
        do {
            try FileManager.default.createDirectory(
                at: target.deletingLastPathComponent(), withIntermediateDirectories: true)
            try Data(value).write(to: target, options: .atomic)
        } catch {
            throw StorageError(operation: "write", location: target.path, reason: error.localizedDescription)
        }
    }

    /// Removes the file or directory for `prefix` (the whole store for an empty prefix).
    public func erase(prefix: String) async throws {
        let target = prefix.isEmpty ? root : root.appendingPathComponent(prefix)
        guard FileManager.default.fileExists(atPath: target.path) else { return }
        do {
            try FileManager.default.removeItem(at: target)
        } catch {
            throw StorageError(operation: "remove", location: target.path, reason: error.localizedDescription)
        }
    }

    /// Returns the keys of all regular files below the root whose key starts with `prefix`, sorted.
    public func list(prefix: String) async throws -> [StoreKey] {
        guard let walker = FileManager.default.enumerator(atPath: root.path) else { return [] }
        var keys: [StoreKey] = []
        while let relative = walker.nextObject() as? String {
            var isDirectory: ObjCBool = false
            let full = root.appendingPathComponent(relative).path
            guard FileManager.default.fileExists(atPath: full, isDirectory: &isDirectory), !isDirectory.boolValue,
                relative.hasPrefix(prefix), StoreKey.isValid(relative)
            else { continue }
            keys.append(StoreKey(relative))
        }
        return keys.sorted()
    }
}
