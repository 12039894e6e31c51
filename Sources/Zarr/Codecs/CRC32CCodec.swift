/// Zarr v3's `crc32c` bytes→bytes codec: appends the CRC-32C of the bytes (u32, little-endian)
/// and checks it when decoding.
///
/// Spec: https://zarr-specs.readthedocs.io/en/latest/v3/codecs/crc32c/index.html.
/// Configuration: `{"name": "crc32c"}` (none).
public struct CRC32CCodec: BytesCodec {
    /// Creates the codec (it has no parameters).
    public init() {}

    /// The codec's metadata object, as in a v3 `codecs` list.
    public var configuration: JSONValue { .object([("name", .string("crc32c"))]) }

    /// `decoded` followed by its CRC-32C, little-endian.
    public func encode(_ decoded: [UInt8]) throws -> [UInt8] {
        let crc = CRC32C.checksum(decoded)
        return decoded + withUnsafeBytes(of: crc.littleEndian) { Array($0) }
    }

    /// The bytes before the checksum, after checking it.
    /// - Throws: `ZarrError.codecFailure` when the data is shorter than the checksum or the
    ///   checksum does not match (the message gives both values).
    public func decode(_ encoded: [UInt8], decodedCount: Int) throws -> [UInt8] {
        guard encoded.count >= 4 else {
            throw ZarrError.codecFailure("crc32c: \(encoded.count) bytes cannot hold a 4-byte checksum")
        }
        let body = Array(encoded.dropLast(4))
        let stored = encoded.suffix(4).reversed().reduce(UInt32(0)) { $0 << 8 | UInt32($1) }
        let computed = CRC32C.checksum(body)
        guard stored == computed else {
            throw ZarrError.codecFailure(
                "crc32c mismatch: stored 0x\(String(stored, radix: 16, uppercase: true)), computed 0x\(String(computed, radix: 16, uppercase: true))")
        }
        return body
    }
}
