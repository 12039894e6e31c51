import CubeCore
import Foundation

/// GRIB file indexes remembered between runs (`FileVersionMemo`, namespace `grib-index`), as
/// cfgrib keeps `.idx` files: every run over the same archive (a surface cube and a levels cube of
/// the same hourly files, a nightly re-run) parses each message's headers with ecCodes once, not
/// once per run (ecCodes builds a handle of some thousand accessors per message: 24 H1024 files
/// of 8 messages took 0.3 s on one core before every cube).
///
/// An entry holds the index of one version of one file and is valid only for the index format,
/// ecCodes version and executable (path, size, modification time) that wrote it: an upgraded or
/// rebuilt CubeGen indexes again. Anything that does not decode is a miss. Only indexes of files
/// that passed every check of indexing are remembered, so a remembered file is one whose messages
/// were checked as they are. A reduced Gaussian grid's rows and latitudes (5,120 numbers each on
/// O2560) are stored once per entry, not once per message.
enum GRIBIndexMemo {
    /// The memo the environment asks for.
    static let memo = FileVersionMemo(namespace: "grib-index")

    /// What an index depends on besides the file: the index format (raise it when `GRIBMessage`
    /// or indexing changes), ecCodes and the executable.
    static let stamp: String = {
        var identity = "unknown executable"
        if let executable = try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe") {
            var status = stat()
            if stat(executable, &status) == 0 {
                identity = "\(executable) \(status.st_size) \(status.st_mtim.tv_sec).\(status.st_mtim.tv_nsec)"
            }
        }
        return "cubegen GRIB index 2; ecCodes \(GRIBCalls.version); \(identity)"
    }()

    /// An entry: the messages without their grid tables, the distinct tables, and which each uses.
    private struct Entry: Codable {
        var messages: [GRIBMessage]
        var rowTables: [[Int]]
        var latitudeTables: [[Double]]
        var rows: [Int?]
        var latitudes: [Int?]

        init(_ all: [GRIBMessage]) {
            messages = []
            rowTables = []
            latitudeTables = []
            rows = []
            latitudes = []
            var rowIndex: [[Int]: Int] = [:], latitudeIndex: [[Double]: Int] = [:]
            for var message in all {
                rows.append(message.pointsPerRow.map { table in
                    if let known = rowIndex[table] { return known }
                    rowTables.append(table)
                    rowIndex[table] = rowTables.count - 1
                    return rowTables.count - 1
                })
                latitudes.append(message.gaussianLatitudes.map { table in
                    if let known = latitudeIndex[table] { return known }
                    latitudeTables.append(table)
                    latitudeIndex[table] = latitudeTables.count - 1
                    return latitudeTables.count - 1
                })
                message.pointsPerRow = nil
                message.gaussianLatitudes = nil
                messages.append(message)
            }
        }

        /// The messages with their tables, `nil` when a reference is out of range.
        var restored: [GRIBMessage]? {
            guard rows.count == messages.count, latitudes.count == messages.count else { return nil }
            var result: [GRIBMessage] = []
            for (k, var message) in messages.enumerated() {
                if let r = rows[k] {
                    guard rowTables.indices.contains(r) else { return nil }
                    message.pointsPerRow = rowTables[r]
                }
                if let l = latitudes[k] {
                    guard latitudeTables.indices.contains(l) else { return nil }
                    message.gaussianLatitudes = latitudeTables[l]
                }
                result.append(message)
            }
            return result
        }
    }

    /// The remembered index of `version`, if any.
    static func messages(for version: FileVersionMemo.Version, in memo: FileVersionMemo = memo) -> [GRIBMessage]? {
        guard let text = memo.value(for: version), let newline = text.firstIndex(of: "\n"), text[..<newline] == stamp,
              let entry = try? JSONDecoder().decode(Entry.self, from: Data(text[text.index(after: newline)...].utf8)),
              let messages = entry.restored, !messages.isEmpty
        else { return nil }
        return messages
    }

    /// Remembers the index of the file at `path` as of `version`.
    static func remember(_ messages: [GRIBMessage], for version: FileVersionMemo.Version, path: String, in memo: FileVersionMemo = memo) {
        guard let data = try? JSONEncoder().encode(Entry(messages)) else { return }
        memo.remember(stamp + "\n" + String(decoding: data, as: UTF8.self), for: version, path: path)
    }
}
