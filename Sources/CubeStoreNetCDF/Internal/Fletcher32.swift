/// HDF5's Fletcher-32 checksum filter (`H5Z_FILTER_FLETCHER32`), checked on read.
///
/// HDF5 sums the data as big-endian 16-bit words (an odd last byte is the high byte of a last
/// word), folds both sums every 360 words, and appends the 32-bit result little-endian
/// (`H5_checksum_fletcher32`, `H5Z_filter_fletcher32`). Files written by HDF5 1.6.0–1.6.2 hold
/// the result with its 16-bit halves byte-swapped; HDF5 accepts both and so does this check.
enum Fletcher32 {
    /// The checksum of `bytes`.
    static func checksum(_ bytes: UnsafeRawBufferPointer) -> UInt32 {
        var sum1: UInt32 = 0, sum2: UInt32 = 0
        let words = bytes.count / 2
        var index = 0, remaining = words
        while remaining > 0 {
            let block = min(remaining, 360)
            remaining -= block
            for _ in 0..<block {
                sum1 &+= UInt32(bytes[index]) << 8 | UInt32(bytes[index + 1])
                sum2 &+= sum1
                index += 2
            }
            sum1 = (sum1 & 0xffff) + (sum1 >> 16)
            sum2 = (sum2 & 0xffff) + (sum2 >> 16)
        }
        if bytes.count % 2 == 1 {
            sum1 &+= UInt32(bytes[index]) << 8
            sum2 &+= sum1
            sum1 = (sum1 & 0xffff) + (sum1 >> 16)
            sum2 = (sum2 & 0xffff) + (sum2 >> 16)
        }
        sum1 = (sum1 & 0xffff) + (sum1 >> 16)
        sum2 = (sum2 & 0xffff) + (sum2 >> 16)
        return sum2 << 16 | sum1
    }

    /// Checks and strips the 4-byte checksum HDF5 appended to `stored`.
    /// - Returns: the data without its checksum, or `nil` when the checksum does not match.
    static func verified(_ stored: [UInt8]) -> [UInt8]? {
        guard stored.count >= 4 else { return nil }
        let n = stored.count - 4
        let expected = UInt32(stored[n]) | UInt32(stored[n + 1]) << 8 | UInt32(stored[n + 2]) << 16 | UInt32(stored[n + 3]) << 24
        let actual = stored.withUnsafeBytes { checksum(UnsafeRawBufferPointer(rebasing: $0[0..<n])) }
        // The byte-swapped form of HDF5 1.6.0–1.6.2.
        let b = [UInt8(actual & 0xff), UInt8(actual >> 8 & 0xff), UInt8(actual >> 16 & 0xff), UInt8(actual >> 24)]
        let reversed = UInt32(b[1]) << 24 | UInt32(b[0]) << 16 | UInt32(b[3]) << 8 | UInt32(b[2])
        guard expected == actual || expected == reversed else { return nil }
        return Array(stored[0..<n])
    }
}
