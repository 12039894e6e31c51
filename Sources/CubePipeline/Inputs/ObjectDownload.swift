import CubeCore
import CubeCrypto
import CubeStorage
import Foundation

/// One download of a remote object into the cache folder: into a temporary file (one GET, or
/// ranged GETs in parallel for large objects, followed by a HEAD that must still show the same
/// entity tag), verified (size; MD5 against a plain-MD5 entity tag), then renamed to its entry name. Any failure removes the temporary file.
struct ObjectDownload: Sendable {
    var object: RemoteObject
    var directory: String
    var partSize: Int
    var parallelParts: Int

    /// Downloads to `path` (in `directory`) and returns it.
    /// - Throws: `CubeError` naming the URL.
    func run(to path: String) async throws -> String {
        do {
            try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        } catch {
            throw CubeError(.io, "cannot create the input cache folder '\(directory)': \(error.localizedDescription)",
                            context: ["url": object.url], underlying: error)
        }
        let temporary = directory + "/.partial-" + UUID().uuidString
        let descriptor = open(temporary, O_CREAT | O_EXCL | O_WRONLY, 0o644)
        guard descriptor >= 0 else {
            throw CubeError(.io, "cannot write to the input cache folder '\(directory)': \(String(cString: strerror(errno)))",
                            context: ["url": object.url])
        }
        var closed = false
        defer {
            if !closed { close(descriptor) }
            unlink(temporary)
        }
        do {
            let size = object.info.size
            if size <= partSize {
                try write(try await fetch(.all, expected: size), at: 0, to: descriptor)
            } else {
                try await fetchParts(size: size, to: descriptor)
                // Parts of two versions must not mix: the object must still be the one announced.
                let after = try await object.storage.head(object.key)
                guard after?.size == size, after?.etag == object.info.etag else {
                    throw CubeError(.invalidInput, "'\(object.url)' changed while it was fetched (ETag \(object.info.etag ?? "none"), now "
                                        + "\(after.map { $0.etag ?? "none" } ?? "deleted")): plan again", context: ["url": object.url])
                }
            }
        } catch {
            throw StorageFailure.wrap(error, url: object.url)
        }
        guard close(descriptor) == 0 else {
            closed = true
            throw CubeError(.io, "cannot write the cached copy of '\(object.url)': \(String(cString: strerror(errno)))",
                            context: ["url": object.url])
        }
        closed = true
        try verify(temporary)
        guard rename(temporary, path) == 0 else {
            throw CubeError(.io, "cannot store the cached copy of '\(object.url)': \(String(cString: strerror(errno)))",
                            context: ["url": object.url])
        }
        return path
    }

    /// The bytes of `range`, which must be `expected` long.
    private func fetch(_ range: ByteRange, expected: Int) async throws -> [UInt8] {
        guard let bytes = try await object.storage.get(object.key, range: range) else {
            throw CubeError(.invalidInput, "'\(object.url)' no longer exists (it was deleted after it was listed)",
                            context: ["url": object.url])
        }
        guard bytes.count == expected else {
            throw CubeError(.invalidInput,
                            "'\(object.url)' changed while it was fetched: \(bytes.count) bytes arrived, \(expected) expected",
                            context: ["url": object.url])
        }
        return bytes
    }

    private func fetchParts(size: Int, to descriptor: Int32) async throws {
        let starts = Array(stride(from: 0, to: size, by: partSize))
        try await withThrowingTaskGroup(of: (Int, [UInt8]).self) { group in
            var next = 0
            func start() {
                guard next < starts.count else { return }
                let lower = starts[next], upper = min(size, lower + partSize)
                next += 1
                group.addTask { (lower, try await self.fetch(.bounded(lower..<upper), expected: upper - lower)) }
            }
            for _ in 0..<parallelParts { start() }
            while let (offset, bytes) = try await group.next() {
                try write(bytes, at: offset, to: descriptor)
                start()
            }
        }
    }

    private func write(_ bytes: [UInt8], at offset: Int, to descriptor: Int32) throws {
        var done = 0
        while done < bytes.count {
            let written = bytes.withUnsafeBytes { pwrite(descriptor, $0.baseAddress! + done, bytes.count - done, off_t(offset + done)) }
            guard written > 0 else {
                throw CubeError(.io, "cannot write the cached copy of '\(object.url)' in '\(directory)': \(String(cString: strerror(errno)))",
                                context: ["url": object.url])
            }
            done += written
        }
    }

    /// Checks the downloaded file against what the store announced.
    private func verify(_ path: String) throws {
        var status = stat()
        guard stat(path, &status) == 0, Int(status.st_size) == object.info.size else {
            throw CubeError(.io, "'\(object.url)' arrived damaged: \(Int(status.st_size)) bytes, \(object.info.size) expected",
                            context: ["url": object.url])
        }
        guard let expected = object.contentMD5 else { return }
        let actual: String
        do {
            actual = try MD5.hex(fileAt: path)
        } catch {
            throw CubeError(.io, "cannot read the cached copy of '\(object.url)': \(error.localizedDescription)",
                            context: ["url": object.url], underlying: error)
        }
        guard actual == expected else {
            throw CubeError(.io, "'\(object.url)' arrived damaged: its MD5 is \(actual) but its ETag says \(expected)",
                            context: ["url": object.url])
        }
    }
}
