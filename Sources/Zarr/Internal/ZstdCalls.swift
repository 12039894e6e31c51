internal import CZstd

/// The only place that calls libzstd.
enum ZstdCalls {
    /// The library's version text (`ZSTD_versionString`).
    static var version: String { String(cString: ZSTD_versionString()) }

    static func compress(_ input: [UInt8], level: Int) throws -> [UInt8] {
        var output = [UInt8](repeating: 0, count: ZSTD_compressBound(input.count))
        let written = input.withUnsafeBytes { src in
            output.withUnsafeMutableBytes { dst in
                ZSTD_compress(dst.baseAddress, dst.count, src.baseAddress, src.count, Int32(level))
            }
        }
        guard ZSTD_isError(written) == 0 else {
            throw ZarrError.codecFailure("ZSTD_compress: \(String(cString: ZSTD_getErrorName(written)))")
        }
        output.removeSubrange(written...)
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
