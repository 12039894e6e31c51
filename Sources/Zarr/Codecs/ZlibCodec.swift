/// zlib-wrapped DEFLATE (numcodecs `zlib`).
///
/// Spec: https://numcodecs.readthedocs.io/en/stable/compression/zlib.html (RFC 1950).
/// Configuration: `{"id": "zlib", "level": 1}`; levels 0–9.
public struct ZlibCodec: BytesCodec {
    /// The compression level 0–9.
    public let level: Int

    /// Creates a codec.
    /// - Throws: `ZarrError.invalidCodecConfiguration` for a level outside 0…9.
    public init(level: Int) throws {
        guard (0...9).contains(level) else { throw ZarrError.invalidCodecConfiguration("zlib level \(level) is not in 0…9") }
        self.level = level
    }

    /// The registry entry.
    public static let descriptor = CodecDescriptor(identifier: "zlib", summary: "zlib (DEFLATE with zlib header)") { config, _ in
        try ZlibCodec(level: try config.codecInt("level", default: 1))
    }

    /// The `.zarray` compressor object.
    public var configuration: JSONValue { .object([("id", .string("zlib")), ("level", .int(Int64(level)))]) }

    /// Compresses with zlib's `deflate`.
    public func encode(_ decoded: [UInt8]) throws -> [UInt8] { try ZlibCalls.deflate(decoded, level: level, gzip: false) }

    /// Decompresses with zlib's `inflate`.
    public func decode(_ encoded: [UInt8], decodedCount: Int) throws -> [UInt8] {
        try ZlibCalls.inflate(encoded, decodedCount: decodedCount, gzip: false)
    }

    /// Inflates a zlib stream of exactly `decodedCount` bytes without checking its Adler-32 trailer
    /// (a fifth of inflate's time); for containers that check their own data. The stream's
    /// structure and its decoded size are still checked.
    /// - Throws: `ZarrError.codecFailure` when the stream is corrupt or of another size.
    public static func inflateUnchecked(_ encoded: [UInt8], decodedCount: Int) throws -> [UInt8] {
        try ZlibCalls.inflate(encoded, decodedCount: decodedCount, gzip: false, verifyChecksum: false)
    }
}

/// gzip-wrapped DEFLATE (numcodecs `gzip`).
///
/// Spec: https://numcodecs.readthedocs.io/en/stable/compression/gzip.html (RFC 1952).
/// Configuration: `{"id": "gzip", "level": 1}`; levels 0–9. The gzip header carries no time stamp,
/// so output is reproducible.
public struct GzipCodec: BytesCodec {
    /// The compression level 0–9.
    public let level: Int

    /// Creates a codec.
    /// - Throws: `ZarrError.invalidCodecConfiguration` for a level outside 0…9.
    public init(level: Int) throws {
        guard (0...9).contains(level) else { throw ZarrError.invalidCodecConfiguration("gzip level \(level) is not in 0…9") }
        self.level = level
    }

    /// The registry entry.
    public static let descriptor = CodecDescriptor(identifier: "gzip", summary: "gzip (DEFLATE with gzip header)") { config, _ in
        try GzipCodec(level: try config.codecInt("level", default: 1))
    }

    /// The `.zarray` compressor object.
    public var configuration: JSONValue { .object([("id", .string("gzip")), ("level", .int(Int64(level)))]) }

    /// Compresses with zlib's `deflate` in gzip mode.
    public func encode(_ decoded: [UInt8]) throws -> [UInt8] { try ZlibCalls.deflate(decoded, level: level, gzip: true) }

    /// Decompresses with zlib's `inflate` in gzip mode.
    public func decode(_ encoded: [UInt8], decodedCount: Int) throws -> [UInt8] {
        try ZlibCalls.inflate(encoded, decodedCount: decodedCount, gzip: true)
    }
}
