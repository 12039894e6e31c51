public import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// A store in a directory of the local file system: key `a/b/c` is the file `ROOT/a/b/c`.
///
/// Writes go to a temporary file in the same directory and are renamed into place, so a reader
/// never sees a partly written value (`FileReplacement`). Directories are created as needed.
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
            throw StorageError(operation: "read", location: path, reason: Self.reason(error))
        }
    }

    /// Returns `range` of the file for `key`, or `nil` if there is no such file; reads only those bytes.
    public func get(_ key: StoreKey, range: ByteRange) async throws -> [UInt8]? {
        let path = url(key).path
        guard let size = try fileSize(path) else { return nil }
        guard let offsets = range.offsets(in: size) else {
            throw StorageError(operation: "read", location: path,
                               reason: "byte range \(range) reaches past the end of a \(size)-byte file", code: .invalid)
        }
        if offsets.isEmpty { return [] }
        do {
            guard let handle = FileHandle(forReadingAtPath: path) else {
                throw StorageError(operation: "read", location: path, reason: "cannot open the file")
            }
            defer { try? handle.close() }
            try handle.seek(toOffset: UInt64(offsets.lowerBound))
            let data = try handle.read(upToCount: offsets.count) ?? Data()
            guard data.count == offsets.count else {
                throw StorageError(operation: "read", location: path,
                                   reason: "short read: \(data.count) of \(offsets.count) bytes", code: .transient)
            }
            return [UInt8](data)
        } catch let error as StorageError {
            throw error
        } catch {
            throw StorageError(operation: "read", location: path, reason: Self.reason(error))
        }
    }

    /// Returns the size and modification date of the file for `key`, or `nil` if there is no such file.
    public func head(_ key: StoreKey) async throws -> ObjectInfo? {
        let path = url(key).path
        guard let size = try fileSize(path) else { return nil }
        let modified = (try? FileManager.default.attributesOfItem(atPath: path))?[.modificationDate] as? Date
        return ObjectInfo(size: size, etag: nil, modified: modified)
    }

    /// The size of the regular file at `path`, or `nil` when there is none.
    private func fileSize(_ path: String) throws -> Int? {
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory), !isDirectory.boolValue else {
            return nil
        }
        do {
            let attributes = try FileManager.default.attributesOfItem(atPath: path)
            return (attributes[.size] as? NSNumber)?.intValue ?? 0
        } catch {
            throw StorageError(operation: "stat", location: path, reason: Self.reason(error))
        }
    }

    /// Writes `value` for `key`: `.always` as `set`; `.ifAbsent` writes a temporary file and hard-links
    /// it into place, which the kernel refuses atomically when the file exists.
    public func put(_ key: StoreKey, _ value: [UInt8], condition: WriteCondition) async throws {
        guard condition == .ifAbsent else { return try await set(key, to: value) }
        let target = url(key).path
        do {
            try FileReplacement.write(value, to: target, exclusive: true)
        } catch where error.code == EEXIST && error.path == target {
            throw StorageError(operation: "create", location: target, reason: "the file already exists",
                               code: .conditionFailed)
        } catch {
            throw StorageError(operation: "write", location: error.path, reason: error.reason)
        }
    }

    /// Removes the file for `key`, if there is one.
    public func delete(_ key: StoreKey) async throws {
        let path = url(key).path
        guard try fileSize(path) != nil else { return }
        do {
            try FileManager.default.removeItem(atPath: path)
        } catch {
            throw StorageError(operation: "remove", location: path, reason: Self.reason(error))
        }
    }

    /// Returns up to `limit` keys starting with `prefix` after the key named by `continuation` (the
    /// last key of the previous page). Walks the directory tree for every page.
    public func listPage(prefix: String, continuation: String?, limit: Int) async throws -> StoreListingPage {
        StorageSlicing.page(try await list(prefix: prefix), after: continuation, limit: limit)
    }

    /// The operating system's words for a failed file operation (`No space left on device`),
    /// rather than Foundation's paraphrase of them.
    static func reason(_ error: any Error) -> String {
        if let code = posixCode(error) { return String(cString: strerror(code)) }
        return error.localizedDescription
    }

    /// The POSIX error number a Foundation file error stands for (its underlying POSIX error, or
    /// `ENOSPC` for Cocoa's out-of-space), if any.
    static func posixCode(_ error: any Error) -> Int32? {
        let error = error as NSError
        if let underlying = error.userInfo[NSUnderlyingErrorKey] as? NSError, underlying.domain == NSPOSIXErrorDomain {
            return Int32(underlying.code)
        }
        if error.domain == NSPOSIXErrorDomain { return Int32(error.code) }
        if error.domain == NSCocoaErrorDomain && error.code == CocoaError.fileWriteOutOfSpace.rawValue { return ENOSPC }
        return nil
    }

    /// Writes `value` to the file for `key` atomically (not `fsync`ed; see `FileReplacement`).
    public func set(_ key: StoreKey, to value: [UInt8]) async throws {
        do {
            try FileReplacement.write(value, to: url(key).path)
        } catch {
            throw StorageError(operation: "write", location: error.path, reason: error.reason)
        }
    }

    /// Removes the file or directory for `prefix` (the whole store for an empty prefix).
    public func erase(prefix: String) async throws {
        let target = prefix.isEmpty ? root : root.appendingPathComponent(prefix)
        guard FileManager.default.fileExists(atPath: target.path) else { return }
        do {
            try FileManager.default.removeItem(at: target)
        } catch {
            throw StorageError(operation: "remove", location: target.path, reason: Self.reason(error))
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
