internal import CLZ4

/// The only place that calls liblz4.
enum LZ4Calls {
    /// The library's version text (`LZ4_versionString`).
    static var version: String { String(cString: LZ4_versionString()) }

    /// One LZ4 block of `input` (`LZ4_compress_fast`).
    static func compress(_ input: [UInt8], acceleration: Int) throws -> [UInt8] {
        guard input.count <= Int(LZ4_MAX_INPUT_SIZE) else {
            throw ZarrError.codecFailure("lz4: \(input.count) bytes exceed LZ4's block limit")
        }
        let bound = Int(LZ4_compressBound(Int32(input.count)))
        var output = [UInt8](repeating: 0, count: max(bound, 1))
        let written = input.withUnsafeBytes { src in
            output.withUnsafeMutableBytes { dst in
                LZ4_compress_fast(src.bindMemory(to: CChar.self).baseAddress, dst.bindMemory(to: CChar.self).baseAddress,
                                  Int32(input.count), Int32(dst.count), Int32(acceleration))
            }
        }
        guard written > 0 || input.isEmpty else { throw ZarrError.codecFailure("LZ4_compress_fast failed") }
        output.removeSubrange(Int(written)...)
        return output
    }

    /// Decodes one LZ4 block into exactly `decodedCount` bytes (`LZ4_decompress_safe`).
    static func decompress(_ input: ArraySlice<UInt8>, decodedCount: Int) throws -> [UInt8] {
        var output = [UInt8](repeating: 0, count: decodedCount)
        let read = input.withUnsafeBytes { src in
            output.withUnsafeMutableBytes { dst in
                LZ4_decompress_safe(src.bindMemory(to: CChar.self).baseAddress, dst.bindMemory(to: CChar.self).baseAddress,
                                    Int32(src.count), Int32(dst.count))
            }
        }
        guard read >= 0 else { throw ZarrError.codecFailure("lz4 block is damaged (LZ4_decompress_safe \(read))") }
        guard Int(read) == decodedCount else { throw ZarrError.codecFailure("lz4 block holds \(read) bytes, expected \(decodedCount)") }
        return output
    }
}
