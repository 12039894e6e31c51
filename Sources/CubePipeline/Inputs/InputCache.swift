public import CubeCore
import CubeCrypto
import CubeStorage
public import Foundation

/// A bounded local cache of remote input objects, because netCDF-C reads only local files.
///
/// - An entry is keyed by URL, entity tag and size: an unchanged object (as a HEAD request sees
///   it) is never fetched twice; a changed one gets a new entry and the old one is removed.
/// - A download is verified before it counts: its size, and its MD5 when the entity tag is a plain
///   MD5 (32 hex digits without `-`, a single-part upload). It is written to a temporary file and
///   renamed into place, so readers, other processes included, never see a partial entry.
/// - Objects larger than `partSize` are fetched as ranged GETs, `parallelParts` at a time.
/// - Beyond `budget` bytes, the least recently used entries are removed after each download. Entries
///   handed out by this instance are kept (a run needs its inputs), so a run whose inputs exceed the
///   budget uses more space until the next cache instance trims it.
public actor InputCache {
    /// What a cache instance did.
    public struct Statistics: Sendable, Hashable {
        /// Objects downloaded.
        public var downloads = 0
        /// Bytes downloaded.
        public var bytesDownloaded = 0
        /// Requests answered from an existing entry.
        public var hits = 0
        /// Entries removed to stay within the budget.
        public var evictions = 0
    }

    /// The folder holding the entries.
    public nonisolated let directory: String
    /// The bytes the entries may use (see the type's note on entries in use).
    public nonisolated let budget: Int
    /// Objects of more bytes than this are fetched in ranged parts of this size.
    public nonisolated let partSize: Int
    /// Ranged GETs in flight per object.
    public nonisolated let parallelParts: Int

    /// What this instance did so far.
    public private(set) var statistics = Statistics()
    private var downloads: [String: Task<String, any Error>] = [:]
    private var handedOut: Set<String> = []

    /// 10 GiB.
    public static let defaultBudget = 10 << 30

    /// Creates a cache in `directory` (created on first use) of at most `budget` bytes.
    public init(directory: String = InputCache.defaultDirectory(), budget: Int = InputCache.defaultBudget,
                partSize: Int = 8 << 20, parallelParts: Int = 4) {
        self.directory = directory
        self.budget = max(0, budget)
        self.partSize = max(1, partSize)
        self.parallelParts = max(1, parallelParts)
    }

    /// `$XDG_CACHE_HOME/cubegen/inputs`, else `~/.cache/cubegen/inputs`.
    public static func defaultDirectory(environment: [String: String] = ProcessInfo.processInfo.environment) -> String {
        if let cache = environment["XDG_CACHE_HOME"], cache.hasPrefix("/") { return cache + "/cubegen/inputs" }
        let home = environment["HOME"].flatMap { $0.isEmpty ? nil : $0 } ?? NSHomeDirectory()
        return home + "/.cache/cubegen/inputs"
    }

    /// The budget in bytes from `CUBEGEN_INPUT_CACHE_MB`, or `defaultBudget` when it is unset.
    /// - Throws: `CubeError` (`.invalidInput`) when the variable is not a whole number of megabytes.
    public static func budget(environment: [String: String] = ProcessInfo.processInfo.environment) throws -> Int {
        guard let text = environment["CUBEGEN_INPUT_CACHE_MB"] else { return defaultBudget }
        guard let megabytes = Int(text), megabytes >= 0 else {
            throw CubeError(.invalidInput, "CUBEGEN_INPUT_CACHE_MB must be a whole number of megabytes, not '\(text)'")
        }
        return megabytes << 20
    }

    /// The local path of a verified copy of `object` as it is now (its `info`), downloading it
    /// when the cache has no entry for this URL, entity tag and size.
    /// - Throws: `CubeError` naming the URL: the object is gone, cannot be read (the `StorageError`
    ///   is the cause), or arrived damaged.
    public func localFile(for object: RemoteObject) async throws -> String {
        let name = InputCache.entryName(object)
        let path = directory + "/" + name
        handedOut.insert(name)
        if let size = InputCache.fileSize(path), size == object.info.size {
            statistics.hits += 1
            try? FileManager.default.setAttributes([.modificationDate: Date()], ofItemAtPath: path)
            return path
        }
        if let running = downloads[name] { return try await running.value }
        let directory = directory, partSize = partSize, parallelParts = parallelParts
        let task = Task.detached {
            try await ObjectDownload(object: object, directory: directory, partSize: partSize,
                                     parallelParts: parallelParts).run(to: path)
        }
        downloads[name] = task
        defer { downloads[name] = nil }
        let result = try await task.value
        statistics.downloads += 1
        statistics.bytesDownloaded += object.info.size
        removeOtherVersions(of: name)
        evict()
        return result
    }

    /// `<url hash>-<version hash>[.ext]`: the URL's part lets a new version replace the old one.
    static func entryName(_ object: RemoteObject) -> String {
        let urlHash = SHA256.hex(Array(object.url.utf8)).prefix(24)
        let version = "\(object.info.etag ?? "-")\n\(object.info.size)\n"
            + (object.info.etag == nil ? "\(object.info.modified?.timeIntervalSince1970 ?? 0)" : "")
        let versionHash = SHA256.hex(Array(version.utf8)).prefix(16)
        let last = object.key.rawValue.split(separator: "/").last.map(String.init) ?? ""
        let suffix = last.split(separator: ".").count > 1 ? String(last.split(separator: ".").last!) : ""
        let ext = suffix.count <= 8 && !suffix.isEmpty && suffix.allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber) })
            ? "." + suffix : ""
        return "\(urlHash)-\(versionHash)\(ext)"
    }

    private static func fileSize(_ path: String) -> Int? {
        var status = stat()
        guard stat(path, &status) == 0, (status.st_mode & S_IFMT) == S_IFREG else { return nil }
        return Int(status.st_size)
    }

    /// Removes entries of the same URL with another version (a changed object).
    private func removeOtherVersions(of name: String) {
        let urlPart = name.prefix(25)
        let names = (try? FileManager.default.contentsOfDirectory(atPath: directory)) ?? []
        for other in names where other.hasPrefix(urlPart) && other != name && !handedOut.contains(other) {
            try? FileManager.default.removeItem(atPath: directory + "/" + other)
        }
    }

    /// Removes the least recently used entries until the rest fit the budget, and temporary files
    /// older than a day (left by killed processes).
    private func evict() {
        let names = (try? FileManager.default.contentsOfDirectory(atPath: directory)) ?? []
        var entries: [(name: String, size: Int, used: Date)] = []
        let dayAgo = Date().addingTimeInterval(-86_400)
        for name in names {
            let path = directory + "/" + name
            guard let attributes = try? FileManager.default.attributesOfItem(atPath: path),
                  attributes[.type] as? FileAttributeType == .typeRegular else { continue }
            let size = (attributes[.size] as? NSNumber)?.intValue ?? 0
            let used = attributes[.modificationDate] as? Date ?? .distantPast
            if name.hasPrefix(".") {
                if used < dayAgo { try? FileManager.default.removeItem(atPath: path) }
                continue
            }
            entries.append((name, size, used))
        }
        var total = entries.reduce(0) { $0 + $1.size }
        for entry in entries.sorted(by: { $0.used < $1.used }) where total > budget && !handedOut.contains(entry.name) {
            if (try? FileManager.default.removeItem(atPath: directory + "/" + entry.name)) != nil {
                total -= entry.size
                statistics.evictions += 1
            }
        }
    }
}
