internal import CZstd

/// The only place that calls libzstd.
enum ZstdCalls {
    /// The library's version text (`ZSTD_versionString`).
    static var version: String { String(cString: ZSTD_versionString()) }

    static func compress(_ input: UnsafeRawBufferPointer, level: Int) throws -> [UInt8] {
        var written = 0
        // Not pre-filled: what ZSTD_compress returns is the part kept.
        let output = [UInt8](unsafeUninitializedCapacity: ZSTD_compressBound(input.count)) { dst, count in
            written = ZSTD_compress(dst.baseAddress, dst.count, input.baseAddress, input.count, Int32(level))
            count = ZSTD_isError(written) == 0 ? written : 0
        }
        guard ZSTD_isError(written) == 0 else {
            throw ZarrError.codecFailure("ZSTD_compress: \(String(cString: ZSTD_getErrorName(written)))")
        }
        return output
    }

    static func decompress(_ input: [UInt8], decodedCount: Int) throws -> [UInt8] {
        var output = [UInt8](repeating: 0, count: decodedCount)
        let read = input.withUnsafeBytes { src in
            output.withUnsafeMutableBytes { dst in ZSTD_decompress(dst.baseAddress, dst.count, src.baseAddress, src.count) }
        }
        guard ZSTD_isError(read) == 0 else {
            throw ZarrError.codecFailure("ZSTD_decompress: \(String(cString: ZSTD_getErrorName(read)))")
        }
        guard read == decodedCount else { throw ZarrError.codecFailure("zstd frame holds \(read) bytes, expected \(decodedCount)") }
        return output
    }
}
