internal import CBlosc

/// The only place that calls c-blosc. Uses the `_ctx` functions only (no global state).
enum BloscCalls {
    /// The library's version text (`blosc_get_version_string`).
    static var version: String { String(cString: blosc_get_version_string()) }

    static func compress(_ input: UnsafeRawBufferPointer, level: Int, shuffle: Int, typeSize: Int, compressor: String,
                         blockSize: Int) throws -> [UInt8] {
        // The output is not pre-filled: blosc writes what it returns, and only that is kept.
        var written: Int32 = 0
        let output = [UInt8](unsafeUninitializedCapacity: input.count + Int(BLOSC_MAX_OVERHEAD)) { dst, count in
            written = blosc_compress_ctx(Int32(level), Int32(shuffle), typeSize, input.count, input.baseAddress,
                                         dst.baseAddress, dst.count, compressor, blockSize, 1)
            count = max(0, Int(written))
        }
        guard written > 0 else { throw ZarrError.codecFailure("blosc_compress_ctx returned \(written)") }
        return output
    }

    /// The bytes `byteRange` of what `input` decodes to (`decodedCount` bytes in all), decoding
    /// only the blocks that hold them (`blosc_getitem`). `byteRange` must be whole items of the
    /// buffer's type size.
    static func decompress(_ input: [UInt8], decodedCount: Int, byteRange: Range<Int>) throws -> [UInt8] {
        guard input.count >= Int(BLOSC_MIN_HEADER_LENGTH) else { throw ZarrError.codecFailure("blosc buffer too short") }
        var nbytes = 0, cbytes = 0, blocksize = 0, typesize = 0
        var flags: Int32 = 0
        input.withUnsafeBytes {
            blosc_cbuffer_sizes($0.baseAddress, &nbytes, &cbytes, &blocksize)
            blosc_cbuffer_metainfo($0.baseAddress, &typesize, &flags)
        }
        guard nbytes == decodedCount, cbytes <= input.count else {
            throw ZarrError.codecFailure("blosc buffer holds \(nbytes) bytes, expected \(decodedCount)")
        }
        // The library checks the header against the buffer's length before decoding a part of it.
        let valid = input.withUnsafeBytes { blosc_cbuffer_validate($0.baseAddress, input.count, &nbytes) }
        guard valid == 0, nbytes == decodedCount else { throw ZarrError.codecFailure("blosc buffer header is not valid") }
        guard typesize > 0, byteRange.lowerBound >= 0, byteRange.upperBound <= decodedCount,
              byteRange.lowerBound % typesize == 0, byteRange.count % typesize == 0 else {
            throw ZarrError.codecFailure("bytes \(byteRange) are not whole items of \(typesize) bytes within \(decodedCount)")
        }
        if byteRange.isEmpty { return [] }
        var read: Int32 = 0
        let output = [UInt8](unsafeUninitializedCapacity: byteRange.count) { dst, count in
            read = input.withUnsafeBytes { src in
                blosc_getitem(src.baseAddress, Int32(byteRange.lowerBound / typesize), Int32(byteRange.count / typesize), dst.baseAddress)
            }
            count = Int(read) == byteRange.count ? byteRange.count : 0
        }
        guard Int(read) == byteRange.count else { throw ZarrError.codecFailure("blosc_getitem returned \(read)") }
        return output
    }

    static func decompress(_ input: [UInt8], decodedCount: Int) throws -> [UInt8] {
        guard input.count >= Int(BLOSC_MIN_HEADER_LENGTH) else { throw ZarrError.codecFailure("blosc buffer too short") }
        var nbytes = 0, cbytes = 0, blocksize = 0
        input.withUnsafeBytes { blosc_cbuffer_sizes($0.baseAddress, &nbytes, &cbytes, &blocksize) }
        guard nbytes == decodedCount, cbytes <= input.count else {
            throw ZarrError.codecFailure("blosc buffer holds \(nbytes) bytes, expected \(decodedCount)")
        }
        // Not pre-filled: a successful decompression writes every byte (checked below).
        var read: Int32 = 0
        let output = [UInt8](unsafeUninitializedCapacity: decodedCount) { dst, count in
            read = input.withUnsafeBytes { src in blosc_decompress_ctx(src.baseAddress, dst.baseAddress, dst.count, 1) }
            count = Int(read) == decodedCount ? decodedCount : 0
        }
        guard read == decodedCount else { throw ZarrError.codecFailure("blosc_decompress_ctx returned \(read)") }
        return output
    }
}
