import CubeCore
import CubeStorage
import Foundation

/// Where a source's files are read: local paths as they are; remote objects (by URL, the files'
/// `location`) through the input cache, checked to be unchanged since planning; datasets of a
/// `StorageDataStore` (Zarr) in place, through their storage, never copied.
struct SourceInputs: Sendable {
    /// The remote objects as planned, by URL.
    var remote: [String: RemoteObject] = [:]
    /// The cache remote objects are read through.
    var cache: InputCache?
    /// The storage of each dataset a `StorageDataStore` reads in place, by location (path or URL).
    var datasets: [String: any ReadableStorage] = [:]
    /// The resolution level read from multi-resolution datasets (`nil`: level 0).
    var level: Int?
    /// For a `store: stac` source, the items its search found (the "files" are their URLs).
    var catalogue: SearchedCatalogue?
    /// What planning learnt about the remote objects that later reads reuse (shared by copies).
    var planning = PlanningReads()

    /// Adds a remote object planning just inspected (HEAD or listing): describing it next does not
    /// ask the server again whether it changed.
    mutating func addInspected(_ object: RemoteObject) {
        remote[object.url] = object
        planning.inspected(object.url)
    }

    /// Describes the dataset at `location` with `store`: in place through its storage for a
    /// `StorageDataStore`; a remote object by byte range when the store reads ranges
    /// (`RangeReadingStore`); else from its local path (a cached copy for remote objects).
    /// - Throws: `CubeError` naming the location.
    func describe(_ location: String, with store: any DataStore) async throws -> DatasetDescriptor {
        if let storage = datasets[location], let store = store as? any StorageDataStore {
            return try await store.describe(DatasetReference(location: location, storage: storage, level: level))
        }
        if let ranged = store as? any RangeReadingStore, let bytes = try await byteRanges(for: location, reuse: .record) {
            return try await ranged.describe(location: location, bytes: bytes)
        }
        return try await withLocalFile(location, planning: true) { try await store.describe(path: $0) }
    }

    /// Opens the dataset at `location` with `store`, as `describe` reads it. A dataset read in place
    /// must still be the one `planned` describes (grid, time steps, variables): it has no single
    /// entity tag to compare, so its metadata, read again on opening, is compared instead.
    /// - Throws: `CubeError` naming the location; `.invalidInput` when the dataset changed after planning.
    func open(_ location: String, with store: any DataStore, planned: DatasetDescriptor? = nil) async throws -> any DatasetReader {
        if let storage = datasets[location], let store = store as? any StorageDataStore {
            let reader = try await store.open(DatasetReference(location: location, storage: storage, level: level))
            if let planned, !SourceInputs.sameContent(reader.descriptor, planned) {
                throw CubeError(.invalidInput, "'\(location)' changed after planning (its grid, time steps or variables differ): plan again",
                                context: ["file": location])
            }
            return reader
        }
        if let ranged = store as? any RangeReadingStore, let bytes = try await byteRanges(for: location, reuse: .replay) {
            return try await ranged.open(location: location, bytes: bytes)
        }
        return try await withLocalFile(location) { try await store.open(path: $0) }
    }

    /// The local path to open for the file at `location`.
    /// - Throws: `CubeError` naming the URL when the object was deleted or changed after planning,
    ///   or cannot be fetched.
    func localPath(for location: String) async throws -> String {
        try await localPath(for: location, planning: false)
    }

    /// The local path for the file at `location`; `planning`: asked while planning (see `unchangedObject`).
    private func localPath(for location: String, planning: Bool) async throws -> String {
        guard let cache, let planned = try await unchangedObject(location, planning: planning) else { return location }
        return try await cache.localFile(for: planned)
    }

    /// Whether the file at `location` is read by byte range with `store` (not downloaded).
    func readsByRange(_ location: String, with store: any DataStore) -> Bool {
        store is any RangeReadingStore && remote[location] != nil
    }

    /// The byte ranges of a remote object, checked to be unchanged since planning; `nil` for local files.
    private func byteRanges(for location: String, reuse: RemoteByteRanges.Reuse) async throws -> RemoteByteRanges? {
        guard let planned = try await unchangedObject(location, planning: reuse == .record) else { return nil }
        return RemoteByteRanges(object: planned, planning: planning, reuse: reuse)
    }

    /// The planned remote object at `location`, checked (HEAD) to be unchanged since planning;
    /// `nil` for local files. While planning (`planning`: describing), an object planning itself
    /// inspected is not asked again moments later; opening for the run always asks.
    /// - Throws: `CubeError` naming the URL when the object was deleted or changed, or cannot be reached.
    private func unchangedObject(_ location: String, planning describing: Bool) async throws -> RemoteObject? {
        guard let planned = remote[location] else { return nil }
        if describing, planning.wasInspected(location) { return planned }
        let current: ObjectInfo?
        do {
            current = try await planned.storage.head(planned.key)
        } catch {
            throw StorageFailure.wrap(error, url: location)
        }
        guard let current else {
            throw CubeError(.invalidInput, "'\(location)' no longer exists (it was deleted after planning)", context: ["url": location])
        }
        guard current.size == planned.info.size, current.etag == planned.info.etag else {
            throw CubeError(.invalidInput,
                            "'\(location)' changed after planning (ETag \(planned.info.etag ?? "none"), \(planned.info.size) bytes; "
                                + "now \(current.etag ?? "none"), \(current.size) bytes): plan again", context: ["url": location])
        }
        return planned
    }

    /// Whether two descriptions of one dataset agree on what a run reads: grid, time values,
    /// variables (names, shapes, types, CF decoding, layout) and level. Variables are compared as
    /// text, where a NaN fill value equals NaN (grids compare NaN coordinates as equal already).
    static func sameContent(_ a: DatasetDescriptor, _ b: DatasetDescriptor) -> Bool {
        func variables(_ d: DatasetDescriptor) -> [String] {
            d.variables.map { "\($0.name) \($0.dimensions) \($0.shape) \($0.dataType) \($0.packing) \($0.layout.map { "\($0)" } ?? "")" }
        }
        return a.grid == b.grid && a.timeValues == b.timeValues && variables(a) == variables(b) && a.level == b.level
    }

    /// Runs `body` on the local path of the file at `location`; errors that name the cached copy
    /// name the URL instead.
    func withLocalFile<T: Sendable>(_ location: String, planning: Bool = false, _ body: (String) async throws -> T) async throws -> T {
        let path = try await localPath(for: location, planning: planning)
        do {
            return try await body(path)
        } catch {
            throw SourceInputs.renaming(error, path: path, to: location)
        }
    }

    /// `error` with every mention of `path` replaced by `url` (a `CubeError`'s message and context).
    static func renaming(_ error: any Error, path: String, to url: String) -> any Error {
        guard path != url, var cube = error as? CubeError else { return error }
        cube.message = cube.message.replacingOccurrences(of: path, with: url)
        cube.context = cube.context.mapValues { $0.replacingOccurrences(of: path, with: url) }
        return cube
    }
}
