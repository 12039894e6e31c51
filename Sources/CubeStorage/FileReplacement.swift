import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// Writes a file the way a store needs it: the bytes go to a new temporary file beside the target,
/// which is then renamed (or hard-linked) into place, so a reader sees the old file, the new one or
/// none, never a part.
///
/// Plain POSIX calls, because `Data.write(to:options: .atomic)` copies the bytes into a `Data`,
/// checks and creates directories first and `fsync`s every file: on a cube's thousands of chunk
/// files that was 3–5 % of a run's CPU and a disk wait per chunk. Like git's object files and
/// zarr-python's local store, the file is not `fsync`ed: a killed process never leaves a partial
/// file, a power loss may (README, "Resumable runs"; `cubegen verify --decode` finds it).
enum FileReplacement {
    /// Writes `bytes` to `path`, creating missing parent directories.
    ///
    /// - Parameter exclusive: when `true`, the file is hard-linked into place, which fails with
    ///   `EEXIST` when `path` already exists; otherwise it replaces whatever is there.
    /// - Throws: `FileReplacementError` with the `errno` of the call that failed.
    static func write(_ bytes: [UInt8], to path: String, exclusive: Bool = false) throws(FileReplacementError) {
        let temporary = temporaryPath(beside: path)
        try writeNew(bytes, to: temporary, creatingParentsOf: path)
        let placed = exclusive ? link(temporary, path) : rename(temporary, path)
        if placed != 0 {
            let code = errno
            unlink(temporary)
            throw FileReplacementError(code: code, path: path)
        }
        if exclusive { unlink(temporary) }
    }

    /// A name in `path`'s directory that no other writer picks: hidden, with 64 random bits.
    private static func temporaryPath(beside path: String) -> String {
        let slash = path.lastIndex(of: "/")
        let directory = slash.map { String(path[...$0]) } ?? ""
        let name = slash.map { String(path[path.index(after: $0)...]) } ?? path
        let random = String(UInt64.random(in: .min ... .max), radix: 16)
        return "\(directory).\(name).\(random).tmp"
    }

    /// Creates `temporary` (it must not exist) holding `bytes`; creates the parent directories of
    /// `target` (the same directory) when they are missing, and retries once.
    private static func writeNew(_ bytes: [UInt8], to temporary: String, creatingParentsOf target: String)
        throws(FileReplacementError)
    {
        let flags = O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC
        var descriptor = open(temporary, flags, 0o666)
        if descriptor < 0 && errno == ENOENT {
            let parent = URL(fileURLWithPath: target).deletingLastPathComponent()
            do {
                try FileManager.default.createDirectory(at: parent, withIntermediateDirectories: true)
            } catch {
                // The POSIX error Foundation wraps (EACCES, ENOTDIR, ENOSPC), not a later errno.
                throw FileReplacementError(code: FileSystemStorage.posixCode(error) ?? EIO, path: parent.path)
            }
            descriptor = open(temporary, flags, 0o666)
        }
        guard descriptor >= 0 else { throw FileReplacementError(code: errno, path: target) }
        var failure: Int32 = 0
        bytes.withUnsafeBytes { buffer in
            var offset = 0
            while offset < buffer.count {
                let written = Glibc.write(descriptor, buffer.baseAddress! + offset, buffer.count - offset)
                if written < 0 {
                    if errno == EINTR { continue }
                    failure = errno
                    return
                }
                offset += written
            }
        }
        if close(descriptor) != 0 && failure == 0 { failure = errno }
        if failure != 0 {
            unlink(temporary)
            throw FileReplacementError(code: failure, path: target)
        }
    }
}

/// A failed file write: the path and the operating system's error number.
struct FileReplacementError: Error {
    /// The `errno` of the call that failed.
    let code: Int32
    /// The file (or directory) the call was about.
    let path: String

    /// The operating system's words for `code` (`No space left on device`).
    var reason: String { String(cString: strerror(code)) }
}
