/// The bytes→bytes codecs of an array, format-neutral: an optional compressor and an optional
/// CRC-32C checksum after it.
///
/// The compressor is described by its numcodecs object (`{"id": "blosc", "cname": "zstd", …}`),
/// which is what a v2 `.zarray` stores; `ZarrCodecChain+V3` maps it to and from the v3 codec
/// objects. A v2 array cannot carry a checksum.
public struct ZarrCodecChain: Hashable, Sendable {
    /// The compressor's numcodecs object, or `nil` for none.
    public var compressor: JSONValue?
    /// Whether a `crc32c` codec follows the compressor (Zarr v3 only).
    public var checksum: Bool

    /// Creates a chain.
    public init(compressor: JSONValue?, checksum: Bool = false) {
        self.compressor = compressor
        self.checksum = checksum
    }

    /// No compressor, no checksum.
    public static let none = ZarrCodecChain(compressor: nil)

    /// Builds the codecs, compressor first.
    /// - Throws: `ZarrError` for an unknown or invalid compressor.
    public func makePipeline(registry: CodecRegistry, elementSize: Int) throws -> ZarrBytesPipeline {
        var stages: [any BytesCodec] = []
        if let compressor { stages.append(try registry.makeCodec(compressor, elementSize: elementSize)) }
        if checksum { stages.append(CRC32CCodec()) }
        return ZarrBytesPipeline(stages: stages)
    }
}
