internal import CBzip2

/// The only place that calls libbz2.
enum Bzip2Calls {
    /// The library's version text (`BZ2_bzlibVersion`).
    static var version: String { String(cString: BZ2_bzlibVersion()) }

    /// A bzip2 stream of `input` at block size `level` (1…9, × 100 kB).
    static func compress(_ input: [UInt8], level: Int) throws -> [UInt8] {
        var input = input
        // bzip2's documented worst case: 1 % larger plus 600 bytes.
        var capacity = UInt32(input.count + input.count / 100 + 601)
        var output = [UInt8](repeating: 0, count: Int(capacity))
        let status = input.withUnsafeMutableBytes { src in
            output.withUnsafeMutableBytes { dst in
                BZ2_bzBuffToBuffCompress(dst.bindMemory(to: CChar.self).baseAddress, &capacity,
                                         src.bindMemory(to: CChar.self).baseAddress, UInt32(src.count), Int32(level), 0, 0)
            }
        }
        guard status == BZ_OK else { throw ZarrError.codecFailure("BZ2_bzBuffToBuffCompress failed (\(status))") }
        output.removeSubrange(Int(capacity)...)
        return output
    }

    /// Decodes a bzip2 stream into exactly `decodedCount` bytes (the stream's CRCs are checked).
    static func decompress(_ input: [UInt8], decodedCount: Int) throws -> [UInt8] {
        var input = input
        var output = [UInt8](repeating: 0, count: decodedCount)
        var produced = UInt32(decodedCount)
        let status = input.withUnsafeMutableBytes { src in
            output.withUnsafeMutableBytes { dst in
                BZ2_bzBuffToBuffDecompress(dst.bindMemory(to: CChar.self).baseAddress, &produced,
                                           src.bindMemory(to: CChar.self).baseAddress, UInt32(src.count), 0, 0)
            }
        }
        switch status {
        case BZ_OK: break
        case BZ_OUTBUFF_FULL: throw ZarrError.codecFailure("bz2 stream holds more than the expected \(decodedCount) bytes")
        case BZ_DATA_ERROR, BZ_DATA_ERROR_MAGIC: throw ZarrError.codecFailure("bz2 stream is damaged (CRC or format check failed)")
        case BZ_UNEXPECTED_EOF: throw ZarrError.codecFailure("bz2 stream is truncated")
        default: throw ZarrError.codecFailure("BZ2_bzBuffToBuffDecompress failed (\(status))")
        }
        guard Int(produced) == decodedCount else { throw ZarrError.codecFailure("bz2 stream holds \(produced) bytes, expected \(decodedCount)") }
        return output
    }
}
