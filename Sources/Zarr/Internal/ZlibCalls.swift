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
}
