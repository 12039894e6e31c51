internal import CZlib

/// The only place that calls zlib.
enum ZlibCalls {
    /// The library's version text (`zlibVersion`).
    static var version: String { String(cString: zlibVersion()) }

    static func deflate(_ input: [UInt8], level: Int, gzip: Bool) throws -> [UInt8] {
        var stream = z_stream()
        var status = cubegen_deflate_init2(&stream, Int32(level), gzip ? 31 : 15)
        guard status == Z_OK else { throw ZarrError.codecFailure("deflateInit2 returned \(status)") }
        defer { deflateEnd(&stream) }
        var output = [UInt8](repeating: 0, count: Int(deflateBound(&stream, uLong(input.count))) + 32)
        var input = input
        status = input.withUnsafeMutableBufferPointer { src in
            output.withUnsafeMutableBufferPointer { dst in
                stream.next_in = src.baseAddress
                stream.avail_in = uInt(src.count)
                stream.next_out = dst.baseAddress
                stream.avail_out = uInt(dst.count)
                return CZlib.deflate(&stream, Z_FINISH)
            }
        }
        guard status == Z_STREAM_END else { throw ZarrError.codecFailure("deflate returned \(status)") }
        output.removeSubrange(Int(stream.total_out)...)
        return output
    }

    /// Inflates a zlib (or gzip) stream of exactly `decodedCount` bytes. `verifyChecksum` false
    /// skips the Adler-32/CRC check of the trailer (zlib's `inflateValidate`).
    static func inflate(_ input: [UInt8], decodedCount: Int, gzip: Bool, verifyChecksum: Bool = true) throws -> [UInt8] {
        var stream = z_stream()
        var status = cubegen_inflate_init2(&stream, gzip ? 31 : 15)
        guard status == Z_OK else { throw ZarrError.codecFailure("inflateInit2 returned \(status)") }
        defer { inflateEnd(&stream) }
        if !verifyChecksum { inflateValidate(&stream, 0) }
        var produced = 0
        let output = [UInt8](unsafeUninitializedCapacity: decodedCount) { dst, initialized in
            status = input.withUnsafeBufferPointer { src in
                stream.next_in = UnsafeMutablePointer(mutating: src.baseAddress)
                stream.avail_in = uInt(src.count)
                stream.next_out = dst.baseAddress
                stream.avail_out = uInt(dst.count)
                return CZlib.inflate(&stream, Z_FINISH)
            }
            produced = Int(stream.total_out)
            initialized = status == Z_STREAM_END && produced == decodedCount ? decodedCount : 0
        }
        guard status == Z_STREAM_END, produced == decodedCount else {
            throw ZarrError.codecFailure("inflate returned \(status) after \(produced) of \(decodedCount) bytes")
        }
        return output
    }
}
