/// Zstandard (numcodecs `zstd`).
///
/// Spec: https://numcodecs.readthedocs.io/en/stable/compression/zstd.html.
/// Configuration: `{"id": "zstd", "level": 3}`; levels 1–22 (negative levels are fast modes).
public struct ZstdCodec: BytesCodec {
    /// The compression level.
    public let level: Int

    /// Creates a codec.
    /// - Throws: `ZarrError.invalidCodecConfiguration` for a level outside −131072…22.
    public init(level: Int) throws {
        guard (-131_072...22).contains(level) else { throw ZarrError.invalidCodecConfiguration("zstd level \(level) is not in -131072…22") }
        self.level = level
    }

    /// The registry entry.
    public static let descriptor = CodecDescriptor(identifier: "zstd", summary: "Zstandard") { config, _ in
        try ZstdCodec(level: try config.codecInt("level", default: 3))
    }

    /// The `.zarray` compressor object.
    public var configuration: JSONValue { .object([("id", .string("zstd")), ("level", .int(Int64(level)))]) }

    /// Compresses one frame with `ZSTD_compress`.
    public func encode(_ decoded: [UInt8]) throws -> [UInt8] { try decoded.withUnsafeBytes { try ZstdCalls.compress($0, level: level) } }

    /// Compresses `decoded` where it lies.
    public func encode(raw decoded: UnsafeRawBufferPointer) throws -> [UInt8] { try ZstdCalls.compress(decoded, level: level) }

    /// Decompresses with `ZSTD_decompress`.
    public func decode(_ encoded: [UInt8], decodedCount: Int) throws -> [UInt8] {
        try ZstdCalls.decompress(encoded, decodedCount: decodedCount)
    }
}
