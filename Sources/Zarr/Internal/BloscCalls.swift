internal import CBlosc

/// The only place that calls c-blosc. Uses the `_ctx` functions only (no global state).
enum BloscCalls {
    /// The library's version text (`blosc_get_version_string`).
    static var version: String { String(cString: blosc_get_version_string()) }

    static func compress(_ input: [UInt8], level: Int, shuffle: Int, typeSize: Int, compressor: String,
                         blockSize: Int) throws -> [UInt8] {
        var output = [UInt8](repeating: 0, count: input.count + Int(BLOSC_MAX_OVERHEAD))
        let written = input.withUnsafeBytes { src in
            output.withUnsafeMutableBytes { dst in
                blosc_compress_ctx(Int32(level), Int32(shuffle), typeSize, input.count, src.baseAddress,
                                   dst.baseAddress, dst.count, compressor, blockSize, 1)
            }
        }
        guard written > 0 else { throw ZarrError.codecFailure("blosc_compress_ctx returned \(written)") }
        output.removeSubrange(Int(written)...)
        return output
    }

    static func decompress(_ input: [UInt8], decodedCount: Int) throws -> [UInt8] {
        guard input.count >= Int(BLOSC_MIN_HEADER_LENGTH) else { throw ZarrError.codecFailure("blosc buffer too short") }
        var nbytes = 0, cbytes = 0, blocksize = 0
        input.withUnsafeBytes { blosc_cbuffer_sizes($0.baseAddress, &nbytes, &cbytes, &blocksize) }
        guard nbytes == decodedCount, cbytes <= input.count else {
            throw ZarrError.codecFailure("blosc buffer holds \(nbytes) bytes, expected \(decodedCount)")
        }
        var output = [UInt8](repeating: 0, count: decodedCount)
        let read = input.withUnsafeBytes { src in
            output.withUnsafeMutableBytes { dst in blosc_decompress_ctx(src.baseAddress, dst.baseAddress, dst.count, 1) }
        }
        guard read == decodedCount else { throw ZarrError.codecFailure("blosc_decompress_ctx returned \(read)") }
        return output
    }
}
