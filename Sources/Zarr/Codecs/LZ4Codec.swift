/// LZ4 (numcodecs `lz4`; Zarr v3 `numcodecs.lz4`): a 4-byte little-endian length of the decoded
/// bytes, then one LZ4 block, as `numcodecs.LZ4` frames it.
///
/// Spec: https://numcodecs.readthedocs.io/en/stable/compression/lz4.html.
/// Configuration: `{"id": "lz4", "acceleration": 1}`.
public struct LZ4Codec: BytesCodec {
    /// LZ4's acceleration (1 is the default; larger is faster and compresses less).
    public let acceleration: Int

    /// Creates a codec.
    /// - Throws: `ZarrError.invalidCodecConfiguration` for an acceleration below 1.
    public init(acceleration: Int) throws {
        guard acceleration >= 1 else { throw ZarrError.invalidCodecConfiguration("lz4 acceleration \(acceleration) is below 1") }
        self.acceleration = acceleration
    }

    /// The registry entry.
    public static let descriptor = CodecDescriptor(identifier: "lz4", summary: "LZ4 (numcodecs framing)") { config, _ in
        try LZ4Codec(acceleration: try config.codecInt("acceleration", default: 1))
    }

    /// The `.zarray` compressor object.
    public var configuration: JSONValue { .object([("id", .string("lz4")), ("acceleration", .int(Int64(acceleration)))]) }

    /// The length header, then `LZ4_compress_fast`'s block.
    public func encode(_ decoded: [UInt8]) throws -> [UInt8] {
        try decoded.withUnsafeBytes { try encode(raw: $0) }
    }

    /// The length header, then `LZ4_compress_fast`'s block of `decoded` where it lies.
    public func encode(raw decoded: UnsafeRawBufferPointer) throws -> [UInt8] {
        let count = UInt32(decoded.count)
        return try LZ4Calls.compress(decoded, acceleration: acceleration,
                                     prefix: [UInt8(count & 0xFF), UInt8(count >> 8 & 0xFF), UInt8(count >> 16 & 0xFF), UInt8(count >> 24)])
    }

    /// Checks the length header against the chunk size, then decodes the block.
    public func decode(_ encoded: [UInt8], decodedCount: Int) throws -> [UInt8] {
        guard encoded.count >= 4 else { throw ZarrError.codecFailure("lz4 chunk of \(encoded.count) bytes has no length header") }
        let stated = Int(encoded[0]) | Int(encoded[1]) << 8 | Int(encoded[2]) << 16 | Int(encoded[3]) << 24
        guard stated == decodedCount else {
            throw ZarrError.codecFailure("lz4 chunk says it holds \(stated) bytes, the array's chunk has \(decodedCount)")
        }
        return try LZ4Calls.decompress(encoded[4...], decodedCount: decodedCount)
    }
}
