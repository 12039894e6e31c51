import CubeCore
import Foundation
import Synchronization
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// An anonymous temporary file of raw `Float` runs: appended once, read back once.
///
/// The time-series copy keeps the parts of its chunks that earlier time blocks filled here
/// instead of in memory. The file is unlinked as soon as it is created, so it disappears with
/// the process whatever happens; it lives in `TMPDIR` (or `/tmp`). Appends and reads go through
/// `pwrite`/`pread` at offsets handed out under a lock, so any number of tasks use it at once.
final class SpillFile: Sendable {
    /// Where a run of values lives in the file.
    struct Extent: Sendable {
        var offset: Int
        var count: Int
    }

    private let descriptor: Int32
    private let end = Mutex(0)
    /// The file's name when created (unlinked since).
    let path: String

    /// Creates and unlinks a new file in the temporary directory.
    /// - Throws: `CubeError` (`.io`) naming the directory when the file cannot be created.
    init() throws {
        let directory = ProcessInfo.processInfo.environment["TMPDIR"].flatMap { $0.isEmpty ? nil : $0 } ?? "/tmp"
        let path = directory + "/cubegen-timeseries-\(UUID().uuidString).spill"
        let descriptor = open(path, O_RDWR | O_CREAT | O_EXCL | O_CLOEXEC, 0o600)
        guard descriptor >= 0 else {
            throw CubeError(.io, "output.timeseries: cannot create a spill file in '\(directory)': \(String(cString: strerror(errno)))",
                            context: ["path": path])
        }
        unlink(path)
        self.descriptor = descriptor
        self.path = path
    }

    deinit { close(descriptor) }

    /// Bytes appended so far.
    var size: Int { end.withLock { $0 } }

    /// Appends `values` and says where they went.
    /// - Throws: `CubeError` (`.io`) when the write fails (a full disk).
    func append(_ values: UnsafeBufferPointer<Float>) throws -> Extent {
        let bytes = values.count * MemoryLayout<Float>.size
        let offset = end.withLock { end -> Int in
            defer { end += bytes }
            return end
        }
        var done = 0
        let base = UnsafeRawPointer(values.baseAddress!)
        while done < bytes {
            let n = pwrite(descriptor, base + done, bytes - done, off_t(offset + done))
            guard n > 0 else {
                throw CubeError(.io, "output.timeseries: cannot write the spill file '\(path)': \(String(cString: strerror(errno)))",
                                context: ["path": path])
            }
            done += n
        }
        return Extent(offset: offset, count: values.count)
    }

    /// Gives the whole pages inside `extent` back to the system (a hole punched in the file),
    /// once its values are read back for the last time: the page cache holds only what is
    /// still to be read, and closing the file at the end frees little. Best effort: a file
    /// system that cannot punch holes keeps the pages until the file is closed.
    /// - Returns: whether pages were given back (none when the extent holds no whole page).
    @discardableResult
    func release(_ extent: Extent) -> Bool {
        #if os(Linux)
        let page = SpillFile.pageSize, bytes = extent.count * MemoryLayout<Float>.size
        let first = (extent.offset + page - 1) / page * page, last = (extent.offset + bytes) / page * page
        guard last > first else { return false }
        return SpillFile.fallocate(descriptor, SpillFile.punchHoleKeepingSize, first, last - first) == 0
        #else
        return false
        #endif
    }

    /// The system's page size: holes are punched in whole pages.
    private static let pageSize = max(4096, sysconf(Int32(_SC_PAGESIZE)))

    #if os(Linux)
    /// glibc's `int fallocate(int fd, int mode, off_t offset, off_t len)` (not exported by the Glibc module).
    @_silgen_name("fallocate") private static func fallocate(_ descriptor: Int32, _ mode: Int32, _ offset: Int, _ length: Int) -> Int32
    /// `FALLOC_FL_PUNCH_HOLE | FALLOC_FL_KEEP_SIZE` (linux/falloc.h).
    private static let punchHoleKeepingSize: Int32 = 0x02 | 0x01
    #endif

    /// Reads the values of `extent` into `target` (at least `extent.count` long).
    /// - Throws: `CubeError` (`.io`) when the read fails or comes back short.
    func read(_ extent: Extent, into target: UnsafeMutableBufferPointer<Float>) throws {
        precondition(target.count >= extent.count, "a spill read of \(extent.count) values into \(target.count)")
        let bytes = extent.count * MemoryLayout<Float>.size
        let outcome = PositionalRead.read(descriptor, into: UnsafeMutableRawPointer(target.baseAddress!), count: bytes, at: extent.offset)
        guard outcome.read == bytes else {
            let reason = outcome.error != 0 ? String(cString: strerror(outcome.error)) : "short file"
            throw CubeError(.io, "output.timeseries: cannot read the spill file '\(path)' back: \(reason)", context: ["path": path])
        }
    }
}
