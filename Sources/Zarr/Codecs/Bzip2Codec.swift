/// bzip2 (numcodecs `bz2`; Zarr v3 `numcodecs.bz2`): one bzip2 stream per chunk, as Python's
/// `bz2.compress` writes it.
///
/// Spec: https://numcodecs.readthedocs.io/en/stable/compression/bz2.html.
/// Configuration: `{"id": "bz2", "level": 1}` (block size 1…9 × 100 kB).
public struct Bzip2Codec: BytesCodec {
    /// The block size level, 1…9.
    public let level: Int

    /// Creates a codec.
    /// - Throws: `ZarrError.invalidCodecConfiguration` for a level outside 1…9.
    public init(level: Int) throws {
        guard (1...9).contains(level) else { throw ZarrError.invalidCodecConfiguration("bz2 level \(level) is not in 1…9") }
        self.level = level
    }

    /// The registry entry.
    public static let descriptor = CodecDescriptor(identifier: "bz2", summary: "bzip2") { config, _ in
        try Bzip2Codec(level: try config.codecInt("level", default: 1))
    }

    /// The `.zarray` compressor object.
    public var configuration: JSONValue { .object([("id", .string("bz2")), ("level", .int(Int64(level)))]) }

    /// Compresses with `BZ2_bzBuffToBuffCompress`.
    public func encode(_ decoded: [UInt8]) throws -> [UInt8] { try Bzip2Calls.compress(decoded, level: level) }

    /// Decompresses with `BZ2_bzBuffToBuffDecompress` (which checks the stream's CRCs).
    public func decode(_ encoded: [UInt8], decodedCount: Int) throws -> [UInt8] {
        try Bzip2Calls.decompress(encoded, decodedCount: decodedCount)
    }
}
