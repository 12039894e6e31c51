internal import CDeflate

/// The only place that calls libdeflate: whole-buffer inflate that always verifies the stream's
/// checksum (zlib Adler-32, gzip CRC-32), about three times as fast as zlib's `inflate`, and
/// whole-buffer deflate (CubeGen's zlib/gzip codec and PNG output: deterministic for a given
/// libdeflate version and level, but not zlib's bytes).
enum DeflateCalls {
    /// Why an inflate failed, in words a user can act on.
    enum Failure: Error, CustomStringConvertible {
        /// The stream is corrupt: a structure error or a checksum (Adler-32 / CRC-32) mismatch.
        case corrupt(wrapper: String)
        /// The stream decodes to another size than the container says.
        case wrongSize(expected: Int)

        var description: String {
            switch self {
            case .corrupt(let wrapper):
                return "\(wrapper) stream is corrupt (its checksum or structure does not verify)"
            case .wrongSize(let expected):
                return "deflate stream does not decode to the expected \(expected) bytes"
            }
        }
    }

    /// Inflates a zlib (RFC 1950) or gzip (RFC 1952) stream of exactly `decodedCount` bytes,
    /// verifying its trailer checksum.
    static func inflate(_ input: UnsafeRawBufferPointer, decodedCount: Int, gzip: Bool) throws -> [UInt8] {
        guard let decompressor = libdeflate_alloc_decompressor() else { throw Failure.corrupt(wrapper: gzip ? "gzip" : "zlib") }
        defer { libdeflate_free_decompressor(decompressor) }
        var result = LIBDEFLATE_SUCCESS
        let output = [UInt8](unsafeUninitializedCapacity: max(decodedCount, 1)) { dst, initialized in
            // A nil `actual_out_nbytes_ret` makes libdeflate require exactly `decodedCount` bytes.
            result = gzip
                ? libdeflate_gzip_decompress(decompressor, input.baseAddress, input.count, dst.baseAddress, decodedCount, nil)
                : libdeflate_zlib_decompress(decompressor, input.baseAddress, input.count, dst.baseAddress, decodedCount, nil)
            initialized = result == LIBDEFLATE_SUCCESS ? decodedCount : 0
        }
        switch result {
        case LIBDEFLATE_SUCCESS: return output
        case LIBDEFLATE_SHORT_OUTPUT, LIBDEFLATE_INSUFFICIENT_SPACE: throw Failure.wrongSize(expected: decodedCount)
        default: throw Failure.corrupt(wrapper: gzip ? "gzip" : "zlib")
        }
    }

    /// The library's version (`1.14`).
    static var version: String { LIBDEFLATE_VERSION_STRING }

    /// Deflates `input` into a zlib (RFC 1950) or gzip (RFC 1952) stream at `level` (0–12; zlib's
    /// 1–9 mean the same trade-off).
    static func deflate(_ input: UnsafeRawBufferPointer, level: Int, gzip: Bool) -> [UInt8] {
        guard let compressor = libdeflate_alloc_compressor(Int32(max(0, min(12, level)))) else {
            fatalError("libdeflate could not allocate a compressor (out of memory)")
        }
        defer { libdeflate_free_compressor(compressor) }
        let bound = gzip ? libdeflate_gzip_compress_bound(compressor, input.count) : libdeflate_zlib_compress_bound(compressor, input.count)
        return [UInt8](unsafeUninitializedCapacity: max(bound, 1)) { dst, initialized in
            initialized = gzip
                ? libdeflate_gzip_compress(compressor, input.baseAddress, input.count, dst.baseAddress, bound)
                : libdeflate_zlib_compress(compressor, input.baseAddress, input.count, dst.baseAddress, bound)
        }
    }

    /// The Adler-32 of `bytes` (RFC 1950), continuing from `adler` (1 for a new one).
    static func adler32(_ bytes: UnsafeRawBufferPointer, continuing adler: UInt32 = 1) -> UInt32 {
        libdeflate_adler32(adler, bytes.baseAddress, bytes.count)
    }

    /// The CRC-32 of `bytes` (ISO-HDLC, as gzip and zip), continuing from `crc` (0 for a new one).
    static func crc32(_ bytes: UnsafeRawBufferPointer, continuing crc: UInt32 = 0) -> UInt32 {
        libdeflate_crc32(crc, bytes.baseAddress, bytes.count)
    }
}
