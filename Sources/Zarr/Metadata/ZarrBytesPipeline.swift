/// Bytes→bytes codecs applied in order when encoding and in reverse when decoding.
public struct ZarrBytesPipeline: Sendable {
    /// The codecs, in encoding order.
    public let stages: [any BytesCodec]

    /// Creates a pipeline.
    public init(stages: [any BytesCodec]) { self.stages = stages }

    /// Runs every codec's `encode` in order.
    /// - Throws: the first codec's error.
    public func encode(_ bytes: [UInt8]) throws -> [UInt8] {
        var data = bytes
        for stage in stages { data = try stage.encode(data) }
        return data
    }

    /// Runs every codec's `decode` in reverse order; the result must be `decodedCount` bytes.
    /// - Throws: `ZarrError.codecFailure` from a codec (a checksum mismatch, corrupt data) or
    ///   when the decoded size is wrong.
    public func decode(_ bytes: [UInt8], decodedCount: Int) throws -> [UInt8] {
        var data = bytes
        for stage in stages.reversed() { data = try stage.decode(data, decodedCount: decodedCount) }
        guard data.count == decodedCount else {
            throw ZarrError.codecFailure("decoded \(data.count) bytes, expected \(decodedCount)")
        }
        return data
    }
}
