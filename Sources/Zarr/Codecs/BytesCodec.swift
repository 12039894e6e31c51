/// A Zarr compressor: turns the bytes of a chunk into stored bytes and back.
///
/// Codecs are synchronous and thread-safe: `encode` and `decode` may run on many threads at once.
/// Each codec file opens with its spec link and a configuration example.
///
/// ## Implementation guidance
/// - `configuration` is the numcodecs-style object stored as `compressor` in `.zarray`; it must
///   contain `"id"` and round-trip through the codec's factory in `CodecRegistry`.
/// - Output must depend only on the input and the configuration (reproducible cubes): use one
///   internal thread and no global library state.
public protocol BytesCodec: Sendable {
    /// The v2 `compressor` object, for example `{"id": "zstd", "level": 3}`.
    var configuration: JSONValue { get }
    /// Compresses `decoded`.
    /// - Throws: `ZarrError.codecFailure` when the library reports an error.
    func encode(_ decoded: [UInt8]) throws -> [UInt8]
    /// Compresses the bytes `decoded` points at; the same result as `encode(_:)` on a copy of
    /// them. The compressors take them where they lie, so a writer need not copy its values
    /// into a byte array first.
    /// - Throws: `ZarrError.codecFailure` when the library reports an error.
    func encode(raw decoded: UnsafeRawBufferPointer) throws -> [UInt8]
    /// Decompresses `encoded`, which must decode to `decodedCount` bytes.
    /// - Throws: `ZarrError.codecFailure` when the data is corrupt or of the wrong size.
    func decode(_ encoded: [UInt8], decodedCount: Int) throws -> [UInt8]
}

extension BytesCodec {
    /// Copies `decoded` and encodes the copy (codecs that cannot read a raw buffer).
    public func encode(raw decoded: UnsafeRawBufferPointer) throws -> [UInt8] { try encode(Array(decoded)) }
}

/// A codec that can decode a byte range of its output without decoding all of it (Blosc, whose
/// blocks decode one by one).
public protocol RangeDecodingCodec: BytesCodec {
    /// The bytes `byteRange` of what `encoded` decodes to (`decodedCount` bytes in all).
    /// - Throws: `ZarrError.codecFailure` when the data is corrupt, or the range is not whole
    ///   elements within the decoded bytes.
    func decode(_ encoded: [UInt8], decodedCount: Int, byteRange: Range<Int>) throws -> [UInt8]
}

/// A codec's numcodecs identifier, one-line summary and factory, as kept in a `CodecRegistry`.
public struct CodecDescriptor: Sendable {
    /// The `id` in metadata, for example `"blosc"`.
    public var identifier: String
    /// One line for listings.
    public var summary: String
    /// Builds the codec from its configuration object; `elementSize` is the array's element size
    /// (Blosc's `typesize`).
    public var make: @Sendable (_ configuration: JSONValue, _ elementSize: Int) throws -> any BytesCodec

    /// Creates a descriptor.
    public init(identifier: String, summary: String,
                make: @escaping @Sendable (_ configuration: JSONValue, _ elementSize: Int) throws -> any BytesCodec) {
        self.identifier = identifier
        self.summary = summary
        self.make = make
    }
}

/// The codecs a pipeline may use, keyed by identifier. A value, not global state: embedders pass
/// their own.
public struct CodecRegistry: Sendable {
    /// The registered codecs, by identifier.
    public private(set) var descriptors: [String: CodecDescriptor] = [:]

    /// Creates an empty registry.
    public init() {}

    /// The codecs built into CubeGen: blosc, zstd, zlib, gzip, lz4, bz2.
    public static var standard: CodecRegistry {
        var registry = CodecRegistry()
        registry.register(BloscCodec.descriptor)
        registry.register(ZstdCodec.descriptor)
        registry.register(ZlibCodec.descriptor)
        registry.register(GzipCodec.descriptor)
        registry.register(LZ4Codec.descriptor)
        registry.register(Bzip2Codec.descriptor)
        return registry
    }

    /// Adds or replaces a codec.
    public mutating func register(_ descriptor: CodecDescriptor) { descriptors[descriptor.identifier] = descriptor }

    /// Builds the codec described by a `compressor` object.
    /// - Throws: `ZarrError.unknownCodec` or the codec's configuration error.
    public func makeCodec(_ configuration: JSONValue, elementSize: Int) throws -> any BytesCodec {
        guard let id = configuration["id"]?.stringValue else {
            throw ZarrError.invalidCodecConfiguration("compressor has no \"id\"")
        }
        guard let descriptor = descriptors[id] else { throw ZarrError.unknownCodec(id) }
        return try descriptor.make(configuration, elementSize)
    }
}

extension JSONValue {
    /// The integer member `key`, or `defaultValue` when absent.
    /// - Throws: `ZarrError.invalidCodecConfiguration` when present but not an integer.
    func codecInt(_ key: String, default defaultValue: Int) throws -> Int {
        guard let member = self[key] else { return defaultValue }
        guard let value = member.intValue else {
            throw ZarrError.invalidCodecConfiguration("'\(key)' must be an integer, got \(member.serialized(indent: 0))")
        }
        return value
    }
}
