import Foundation
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Facts about local files remembered between runs, by what the file system says of each file
/// (device, inode, size, modification and change times to the nanosecond), as `git` keeps its
/// index: a fact found by reading a whole file (its SHA-256, that its HDF5 global heap is sound)
/// is found once per version of the file, not once per run.
///
/// Any write to a file moves its change time, which no tool can set back, so a remembered fact is
/// the file's. Files changed in the last `settle` seconds are never remembered nor looked up (file
/// times are as coarse as the kernel's tick). Each fact is one small file in
/// `$XDG_CACHE_HOME/cubegen/NAMESPACE` (else `~/.cache/cubegen/NAMESPACE`), named by a hash of its
/// key and holding the key itself, so a name shared by two keys is a miss, never a wrong fact.
/// Entries are written atomically; a folder that cannot be read or written is skipped, never an
/// error. `CUBEGEN_FINGERPRINT_CACHE=off` turns every namespace off.
public struct FileVersionMemo: Sendable {
    /// One version of one file: the key its fact is remembered under.
    public struct Version: Hashable, Sendable {
        /// The absolute path, device, inode, size and both file times, as one line of text.
        public let key: String
    }

    /// The folder of the entries, `nil` when remembering is off.
    public let directory: String?
    /// Files changed fewer seconds ago than this are not remembered.
    public let settle: Int

    /// The memo of `namespace` (a folder name) the environment (default: the process's) asks for.
    public init(namespace: String, environment: [String: String]? = nil, settle: Int = 2) {
        self.settle = settle
        let environment = environment ?? ProcessInfo.processInfo.environment
        if environment["CUBEGEN_FINGERPRINT_CACHE"] == "off" {
            directory = nil
        } else if let cache = environment["XDG_CACHE_HOME"], cache.hasPrefix("/") {
            directory = cache + "/cubegen/" + namespace
        } else {
            let home = environment["HOME"].flatMap { $0.isEmpty ? nil : $0 } ?? NSHomeDirectory()
            directory = home + "/.cache/cubegen/" + namespace
        }
    }

    /// The version of the file at `path` as it is now, whether or not remembering is on (also the
    /// key of in-process caches), and when it last changed (seconds since 1970); `nil` when the
    /// file cannot be stat'ed.
    public static func identify(_ path: String) -> (version: Version, changed: Int)? {
        var status = stat()
        guard stat(path, &status) == 0 else { return nil }
        let absolute = path.hasPrefix("/") ? path : FileManager.default.currentDirectoryPath + "/" + path
        let version = Version(key: "\(absolute)\u{0}\(status.st_dev)\u{0}\(status.st_ino)\u{0}\(status.st_size)\u{0}"
            + "\(status.st_mtim.tv_sec).\(status.st_mtim.tv_nsec)\u{0}\(status.st_ctim.tv_sec).\(status.st_ctim.tv_nsec)")
        return (version, Int(max(status.st_mtim.tv_sec, status.st_ctim.tv_sec)))
    }

    /// `identity`'s version when the file did not change in the last `seconds` seconds (file times
    /// are as coarse as the kernel's tick: a file rewritten within one may look unchanged), else `nil`.
    public static func unchanged(_ identity: (version: Version, changed: Int), for seconds: Int) -> Version? {
        Int(time(nil)) - identity.changed >= seconds ? identity.version : nil
    }

    /// `identity`'s version when this memo may remember it: remembering is on and the file did not
    /// change in the last `settle` seconds.
    public func settled(_ identity: (version: Version, changed: Int)) -> Version? {
        directory != nil ? FileVersionMemo.unchanged(identity, for: settle) : nil
    }

    /// The file's version as it is now, `nil` when remembering is off, the file cannot be
    /// stat'ed or it changed in the last `settle` seconds.
    public func version(of path: String) -> Version? {
        guard directory != nil else { return nil }
        return FileVersionMemo.identify(path).flatMap(settled)
    }

    /// The fact remembered for `version`, if any.
    public func value(for version: Version) -> String? {
        guard let location = location(of: version),
              let text = try? String(contentsOfFile: location, encoding: .utf8),
              let newline = text.firstIndex(of: "\n"), text[..<newline] == version.key.replacingOccurrences(of: "\n", with: " ")
        else { return nil }
        return String(text[text.index(after: newline)...])
    }

    /// Remembers `value` for `version` when the file at `path` is still that version (the fact
    /// must belong to the file as it was when the version was taken).
    public func remember(_ value: String, for version: Version, path: String) {
        guard let directory, let location = location(of: version), self.version(of: path) == version else { return }
        try? FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        let temporary = location + ".\(getpid()).tmp"
        let text = version.key.replacingOccurrences(of: "\n", with: " ") + "\n" + value
        if (try? text.write(toFile: temporary, atomically: false, encoding: .utf8)) != nil {
            if rename(temporary, location) != 0 { unlink(temporary) }
        }
    }

    /// The entry's file: named by two 64-bit FNV-1a hashes of the key (different offsets).
    private func location(of version: Version) -> String? {
        guard let directory else { return nil }
        var a: UInt64 = 0xcbf2_9ce4_8422_2325, b: UInt64 = 0x8422_2325_cbf2_9ce4
        for byte in version.key.utf8 {
            a = (a ^ UInt64(byte)) &* 0x0000_0100_0000_01B3
            b = (b &* 0x0000_0100_0000_01B3) ^ UInt64(byte)
        }
        func hex(_ value: UInt64) -> String {
            let digits = String(value, radix: 16)
            return String(repeating: "0", count: 16 - digits.count) + digits
        }
        return directory + "/" + hex(a) + hex(b)
    }
}
