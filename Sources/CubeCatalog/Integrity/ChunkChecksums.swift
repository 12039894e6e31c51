public import CubeCrypto

/// The SHA-256 of every chunk a run wrote, kept in the cube as `chunks.sha256`.
///
/// The file is in `sha256sum` format (`HEX  KEY` per line, sorted by key), so besides
/// `cubegen verify --decode` anyone can check a local cube with `cd CUBE.zarr && sha256sum -c
/// chunks.sha256`. Chunks left out because they hold only fill are not listed (the lineage
/// records them).
public struct ChunkChecksums: Sendable, Equatable {
    /// The store key of the list, at the cube's root.
    public static let key = "chunks.sha256"

    /// Lowercase hex SHA-256 by chunk key.
    public private(set) var digests: [String: String]

    /// A list with the given digests.
    public init(digests: [String: String] = [:]) { self.digests = digests }

    /// Records the digest of `bytes`, stored under `key`.
    public mutating func record(_ key: String, bytes: [UInt8]) { digests[key] = ChunkChecksums.digest(bytes) }

    /// Records a digest computed elsewhere (lowercase hex SHA-256) for `key`.
    public mutating func record(_ key: String, digest: String) { digests[key] = digest }

    /// Adds every entry of `other` (later runs' entries win).
    public mutating func merge(_ other: ChunkChecksums) { digests.merge(other.digests) { _, new in new } }

    /// The hex SHA-256 of `bytes`.
    public static func digest(_ bytes: [UInt8]) -> String { SHA256.hex(bytes) }

    /// The `sha256sum` text: one `HEX  KEY` line per chunk, sorted by key.
    public var text: String {
        digests.keys.sorted().map { "\(digests[$0]!)  \($0)\n" }.joined()
    }

    /// Parses `sha256sum` text.
    /// - Throws: `ChecksumListError` naming the first line that is not `HEX  KEY`.
    public init(text: String) throws {
        var digests: [String: String] = [:]
        for (number, line) in text.split(separator: "\n", omittingEmptySubsequences: true).enumerated() {
            let parts = line.split(separator: " ", maxSplits: 1)
            guard parts.count == 2, parts[0].count == 64, parts[0].allSatisfy(\.isHexDigit) else {
                throw ChecksumListError(line: number + 1, text: String(line.prefix(80)))
            }
            // sha256sum writes two spaces (text mode) or a space and `*` (binary mode).
            var key = Substring(parts[1])
            if key.first == " " || key.first == "*" { key = key.dropFirst() }
            digests[String(key)] = parts[0].lowercased()
        }
        self.digests = digests
    }
}

/// A line of a `chunks.sha256` list that is not `HEX  KEY`.
public struct ChecksumListError: Error, Sendable, CustomStringConvertible {
    /// The 1-based line number.
    public var line: Int
    /// The start of the line.
    public var text: String
    /// A one-line description.
    public var description: String { "\(ChunkChecksums.key) line \(line) is not 'SHA256  KEY': '\(text)'" }
}
