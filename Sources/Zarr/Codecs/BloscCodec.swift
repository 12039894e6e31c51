/// The Blosc meta-compressor (numcodecs `blosc`).
///
/// Spec: https://numcodecs.readthedocs.io/en/stable/compression/blosc.html.
/// Configuration: `{"id": "blosc", "cname": "lz4", "clevel": 5, "shuffle": 1, "blocksize": 0}`;
/// `shuffle` is 0 (none), 1 (byte), 2 (bit). `typesize` comes from the array's element size.
/// Uses `blosc_compress_ctx` with one thread, so output is reproducible and no global state is touched.
public struct BloscCodec: RangeDecodingCodec {
    /// The internal compressors Blosc offers.
    public static let compressorNames: Set<String> = ["blosclz", "lz4", "lz4hc", "snappy", "zlib", "zstd"]

    /// The internal compressor, for example `"lz4"`.
    public let compressorName: String
    /// Compression level 0–9.
    public let level: Int
    /// 0 none, 1 byte shuffle, 2 bit shuffle.
    public let shuffle: Int
    /// Block size in bytes, 0 for automatic.
    public let blockSize: Int
    /// Element size used by the shuffle filter.
    public let typeSize: Int

    /// Creates a codec.
    /// - Throws: `ZarrError.invalidCodecConfiguration` for an unknown compressor, level or shuffle.
    public init(compressorName: String, level: Int, shuffle: Int, blockSize: Int = 0, typeSize: Int) throws {
        guard BloscCodec.compressorNames.contains(compressorName) else {
            throw ZarrError.invalidCodecConfiguration(
                "blosc cname '\(compressorName)' is not one of \(BloscCodec.compressorNames.sorted().joined(separator: ", "))")
        }
        guard (0...9).contains(level) else { throw ZarrError.invalidCodecConfiguration("blosc clevel \(level) is not in 0…9") }
        guard (0...2).contains(shuffle) else {
            throw ZarrError.invalidCodecConfiguration("blosc shuffle \(shuffle) is not 0 (none), 1 (byte) or 2 (bit)")
        }
        self.compressorName = compressorName
        self.level = level
        self.shuffle = shuffle
        self.blockSize = blockSize
        self.typeSize = max(1, typeSize)
    }

    /// The registry entry.
    public static let descriptor = CodecDescriptor(identifier: "blosc", summary: "Blosc (lz4, zstd, zlib, blosclz; byte/bit shuffle)") {
        config, elementSize in
        try BloscCodec(
            compressorName: config["cname"]?.stringValue ?? "lz4", level: try config.codecInt("clevel", default: 5),
            shuffle: try config.codecInt("shuffle", default: 1), blockSize: try config.codecInt("blocksize", default: 0),
            typeSize: elementSize)
    }

    /// The `.zarray` compressor object.
    public var configuration: JSONValue {
        .object([("id", .string("blosc")), ("cname", .string(compressorName)), ("clevel", .int(Int64(level))),
                 ("shuffle", .int(Int64(shuffle))), ("blocksize", .int(Int64(blockSize)))])
    }

    /// Compresses with `blosc_compress_ctx`.
    public func encode(_ decoded: [UInt8]) throws -> [UInt8] {
        try decoded.withUnsafeBytes { try encode(raw: $0) }
    }

    /// Compresses `decoded` where it lies (`blosc_compress_ctx`).
    public func encode(raw decoded: UnsafeRawBufferPointer) throws -> [UInt8] {
        try BloscCalls.compress(decoded, level: level, shuffle: shuffle, typeSize: typeSize,
                                compressor: compressorName, blockSize: blockSize)
    }

    /// Decompresses with `blosc_decompress_ctx`.
    public func decode(_ encoded: [UInt8], decodedCount: Int) throws -> [UInt8] {
        try BloscCalls.decompress(encoded, decodedCount: decodedCount)
    }

    /// Decompresses only the blocks holding `byteRange` (`blosc_getitem`).
    public func decode(_ encoded: [UInt8], decodedCount: Int, byteRange: Range<Int>) throws -> [UInt8] {
        try BloscCalls.decompress(encoded, decodedCount: decodedCount, byteRange: byteRange)
    }
}
