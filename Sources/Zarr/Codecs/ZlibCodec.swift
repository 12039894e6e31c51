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

    /// Compresses with libdeflate (deterministic for a given libdeflate version and level; not zlib's bytes).
    public func encode(_ decoded: [UInt8]) throws -> [UInt8] { decoded.withUnsafeBytes { DeflateCalls.deflate($0, level: level, gzip: false) } }

    /// Compresses `decoded` where it lies.
    public func encode(raw decoded: UnsafeRawBufferPointer) throws -> [UInt8] { DeflateCalls.deflate(decoded, level: level, gzip: false) }

    /// Decompresses with libdeflate, verifying the Adler-32 trailer.
    public func decode(_ encoded: [UInt8], decodedCount: Int) throws -> [UInt8] {
        try ZlibCodec.inflate(encoded, decodedCount: decodedCount)
    }

    /// Inflates a zlib stream of exactly `decodedCount` bytes, verifying its structure, its size
    /// and its Adler-32 trailer (libdeflate computes it at several GB/s, so it is never skipped).
    /// - Throws: `ZarrError.codecFailure` naming the failed check.
    public static func inflate(_ encoded: [UInt8], decodedCount: Int) throws -> [UInt8] {
        do {
            return try encoded.withUnsafeBytes { try DeflateCalls.inflate($0, decodedCount: decodedCount, gzip: false) }
        } catch {
            throw ZarrError.codecFailure("\(error)")
        }
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

    /// Compresses with libdeflate in gzip mode (deterministic for a given libdeflate version and level).
    public func encode(_ decoded: [UInt8]) throws -> [UInt8] { decoded.withUnsafeBytes { DeflateCalls.deflate($0, level: level, gzip: true) } }

    /// Compresses `decoded` where it lies.
    public func encode(raw decoded: UnsafeRawBufferPointer) throws -> [UInt8] { DeflateCalls.deflate(decoded, level: level, gzip: true) }

    /// Decompresses with libdeflate, verifying the CRC-32 trailer.
    public func decode(_ encoded: [UInt8], decodedCount: Int) throws -> [UInt8] {
        do {
            return try encoded.withUnsafeBytes { try DeflateCalls.inflate($0, decodedCount: decodedCount, gzip: true) }
        } catch {
            throw ZarrError.codecFailure("\(error)")
        }
    }
}
