internal import CLZ4

/// The only place that calls liblz4.
enum LZ4Calls {
    /// The library's version text (`LZ4_versionString`).
    static var version: String { String(cString: LZ4_versionString()) }

    /// One LZ4 block of `input` (`LZ4_compress_fast`).
    /// `prefix` goes first, then the block (one output buffer, no concatenation).
    static func compress(_ input: UnsafeRawBufferPointer, acceleration: Int, prefix: [UInt8] = []) throws -> [UInt8] {
        guard input.count <= Int(LZ4_MAX_INPUT_SIZE) else {
            throw ZarrError.codecFailure("lz4: \(input.count) bytes exceed LZ4's block limit")
        }
        let bound = Int(LZ4_compressBound(Int32(input.count)))
        var written: Int32 = 0
        // Not pre-filled: the prefix and what LZ4 returns are the bytes kept.
        let output = [UInt8](unsafeUninitializedCapacity: prefix.count + max(bound, 1)) { dst, count in
            for (k, byte) in prefix.enumerated() { dst[k] = byte }
            let block = UnsafeMutableRawPointer(dst.baseAddress! + prefix.count)
            // An empty input still makes a block (one token byte); LZ4 reads nothing from its pointer.
            let source = input.baseAddress ?? UnsafeRawPointer(block)
            written = LZ4_compress_fast(
                source.assumingMemoryBound(to: CChar.self), block.assumingMemoryBound(to: CChar.self),
                Int32(input.count), Int32(dst.count - prefix.count), Int32(acceleration))
            count = prefix.count + max(0, Int(written))
        }
        guard written > 0 else { throw ZarrError.codecFailure("LZ4_compress_fast failed") }
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
