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

    /// Runs every codec's `encode` in order, the first on `bytes` where they lie.
    /// - Throws: the first codec's error.
    public func encode(raw bytes: UnsafeRawBufferPointer) throws -> [UInt8] {
        guard let first = stages.first else { return Array(bytes) }
        var data = try first.encode(raw: bytes)
        for stage in stages.dropFirst() { data = try stage.encode(data) }
        return data
    }

    /// Whether `decode(_:decodedCount:byteRange:)` decodes less than the whole: no codec, or one
    /// that decodes ranges.
    public var decodesRanges: Bool { stages.isEmpty || (stages.count == 1 && stages[0] is any RangeDecodingCodec) }

    /// The bytes `byteRange` of what `bytes` decodes to (`decodedCount` bytes in all), decoding
    /// no more than needed when `decodesRanges`, else decoding all and cutting.
    /// - Throws: `ZarrError.codecFailure` as `decode`, or when `byteRange` is outside the decoded bytes.
    public func decode(_ bytes: [UInt8], decodedCount: Int, byteRange: Range<Int>) throws -> [UInt8] {
        guard byteRange.lowerBound >= 0, byteRange.upperBound <= decodedCount else {
            throw ZarrError.codecFailure("bytes \(byteRange) are outside the \(decodedCount) decoded bytes")
        }
        if stages.count == 1, let codec = stages[0] as? any RangeDecodingCodec {
            return try codec.decode(bytes, decodedCount: decodedCount, byteRange: byteRange)
        }
        return Array(try decode(bytes, decodedCount: decodedCount)[byteRange])
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
