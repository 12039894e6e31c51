import CubeCrypto
import Foundation

/// The SHA-256 of local input files remembered between runs, by what the file system says of
/// them (device, inode, size, modification and change times to the nanosecond), as `git` keeps
/// its index: every cube built from the same archive (a surface cube and a levels cube of the
/// same hourly files, a nightly re-run) hashes each file once, not once per cube (7 GiB of H1024
/// GRIB cost 6 CPU-seconds per cube).
///
/// Any write to a file moves its change time, which no tool can set back, so a remembered digest
/// is the file's. Files changed in the last two seconds are hashed every time (file times are as
/// coarse as the kernel's tick). Entries are files named after the SHA-256 of their key in
/// `$XDG_CACHE_HOME/cubegen/fingerprints` (else `~/.cache/…`), written atomically; a cache that
/// cannot be read or written is skipped, never an error. `CUBEGEN_FINGERPRINT_CACHE=off` turns it
/// off.
struct FingerprintCache: Sendable {
    /// The folder of the entries, `nil` when caching is off.
    let directory: String?
    /// Files changed fewer seconds ago than this are hashed every time.
    let settle: Int

    /// The cache the environment asks for.
    init(environment: [String: String] = ProcessInfo.processInfo.environment, settle: Int = 2) {
        self.settle = settle
        if environment["CUBEGEN_FINGERPRINT_CACHE"] == "off" {
            directory = nil
        } else if let cache = environment["XDG_CACHE_HOME"], cache.hasPrefix("/") {
            directory = cache + "/cubegen/fingerprints"
        } else {
            let home = environment["HOME"].flatMap { $0.isEmpty ? nil : $0 } ?? NSHomeDirectory()
            directory = home + "/.cache/cubegen/fingerprints"
        }
    }

    /// The SHA-256 (hex) of the file at `path`, remembered or computed (and then remembered).
    /// - Throws: what hashing the file throws when it cannot be read.
    func sha256(of path: String) throws -> String {
        guard let directory, let entry = entry(for: path) else { return try SHA256.hex(fileAt: path) }
        let location = directory + "/" + entry
        if let text = try? String(contentsOfFile: location, encoding: .utf8), text.count == 64,
           text.allSatisfy({ $0.isHexDigit && !$0.isUppercase }) {
            return text
        }
        let digest = try SHA256.hex(fileAt: path)
        // The digest must still belong to the file as it was when the key was taken.
        guard self.entry(for: path) == entry else { return digest }
        try? FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        let temporary = location + ".\(getpid()).tmp"
        if (try? digest.write(toFile: temporary, atomically: false, encoding: .utf8)) != nil {
            if rename(temporary, location) != 0 { unlink(temporary) }
        }
        return digest
    }

    /// The entry's name for the file as it is now, `nil` when it cannot be stat'ed or changed in
    /// the last `settle` seconds.
    private func entry(for path: String) -> String? {
        var status = stat()
        guard stat(path, &status) == 0, time(nil) - max(status.st_mtim.tv_sec, status.st_ctim.tv_sec) >= settle else { return nil }
        let absolute = path.hasPrefix("/") ? path : FileManager.default.currentDirectoryPath + "/" + path
        let key = "\(absolute)\u{0}\(status.st_dev)\u{0}\(status.st_ino)\u{0}\(status.st_size)\u{0}"
            + "\(status.st_mtim.tv_sec).\(status.st_mtim.tv_nsec)\u{0}\(status.st_ctim.tv_sec).\(status.st_ctim.tv_nsec)"
        return SHA256.hex(Array(key.utf8))
    }
}
