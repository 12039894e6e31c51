/// The v3 `codecs` list of a chain, and back.
///
/// Spec: https://zarr-specs.readthedocs.io/en/latest/v3/core/index.html#codecs and the codec pages
/// (`bytes`, `blosc`, `zstd`, `gzip`, `crc32c`; numcodecs' `numcodecs.lz4`, `numcodecs.bz2`). Written as zarr-python 3 writes them:
/// ```json
/// [{"name": "bytes", "configuration": {"endian": "little"}},
///  {"name": "blosc", "configuration": {"typesize": 4, "cname": "zstd", "clevel": 5, "shuffle": "shuffle", "blocksize": 0}},
///  {"name": "crc32c"}]
/// ```
extension ZarrCodecChain {
    /// The `bytes` array→bytes codec, little-endian.
    static let bytesCodec: JSONValue = .object([("name", .string("bytes")), ("configuration", .object([("endian", .string("little"))]))])

    /// The v3 name prefix of zarr-python's numcodecs wrappers (`numcodecs.lz4`).
    public static let numcodecsPrefix = "numcodecs."

    /// Blosc's v3 shuffle names by numcodecs number.
    static let shuffleNames = ["noshuffle", "shuffle", "bitshuffle"]

    /// The v3 codec objects: `bytes`, then the compressor, then `crc32c`.
    /// - Parameter elementSize: The array's element size (Blosc's `typesize`).
    /// - Throws: `ZarrError.invalidCodecConfiguration` for a compressor without a v3 codec (zlib).
    public func v3Codecs(elementSize: Int) throws -> [JSONValue] {
        var codecs = [ZarrCodecChain.bytesCodec]
        if let compressor { codecs.append(try ZarrCodecChain.v3Codec(numcodecs: compressor, elementSize: elementSize)) }
        if checksum { codecs.append(CRC32CCodec().configuration) }
        return codecs
    }

    /// The v3 codec object of a numcodecs compressor object.
    /// - Throws: `ZarrError.invalidCodecConfiguration` for a compressor without a v3 codec.
    static func v3Codec(numcodecs compressor: JSONValue, elementSize: Int) throws -> JSONValue {
        let id = compressor["id"]?.stringValue ?? ""
        let configuration: JSONValue
        switch id {
        case "blosc":
            let shuffle = try compressor.codecInt("shuffle", default: 1)
            guard ZarrCodecChain.shuffleNames.indices.contains(shuffle) else {
                throw ZarrError.invalidCodecConfiguration("blosc shuffle \(shuffle) is not 0, 1 or 2")
            }
            configuration = .object([
                ("typesize", .int(Int64(elementSize))), ("cname", .string(compressor["cname"]?.stringValue ?? "lz4")),
                ("clevel", .int(Int64(try compressor.codecInt("clevel", default: 5)))),
                ("shuffle", .string(ZarrCodecChain.shuffleNames[shuffle])),
                ("blocksize", .int(Int64(try compressor.codecInt("blocksize", default: 0)))),
            ])
        case "zstd":
            configuration = .object([("level", .int(Int64(try compressor.codecInt("level", default: 3)))), ("checksum", .bool(false))])
        case "gzip":
            configuration = .object([("level", .int(Int64(try compressor.codecInt("level", default: 1))))])
        case "lz4":
            return .object([("name", .string("numcodecs.lz4")),
                            ("configuration", .object([("acceleration", .int(Int64(try compressor.codecInt("acceleration", default: 1))))]))])
        case "bz2":
            return .object([("name", .string("numcodecs.bz2")),
                            ("configuration", .object([("level", .int(Int64(try compressor.codecInt("level", default: 1))))]))])
        default:
            throw ZarrError.invalidCodecConfiguration("compressor '\(id)' has no Zarr v3 codec (v3 has blosc, zstd, gzip, numcodecs.lz4, numcodecs.bz2)")
        }
        return .object([("name", .string(id)), ("configuration", configuration)])
    }

    /// Reads a v3 `codecs` list of `bytes` (little-endian), then at most one of blosc/zstd/gzip/
    /// `numcodecs.*` (zarr-python's wrappers of numcodecs codecs, by the registry's `id`), then optionally `crc32c`.
    /// - Throws: `ZarrError.invalidMetadata` naming the codec this reader does not handle.
    public init(v3Codecs codecs: [JSONValue]) throws {
        guard let first = codecs.first, first["name"]?.stringValue == "bytes" else {
            throw ZarrError.invalidMetadata("codecs must start with 'bytes', got \(codecs.first?.serialized(indent: 0) ?? "nothing")")
        }
        if let endian = first["configuration"]?["endian"]?.stringValue, endian != "little" {
            throw ZarrError.invalidMetadata("bytes codec endian '\(endian)' is not supported (little only)")
        }
        var compressor: JSONValue?
        var checksum = false
        for codec in codecs.dropFirst() {
            let name = codec["name"]?.stringValue ?? ""
            let configuration = codec["configuration"] ?? .object([])
            guard !checksum else { throw ZarrError.invalidMetadata("codec '\(name)' after crc32c is not supported") }
            switch name {
            case "crc32c":
                checksum = true
            case "blosc" where compressor == nil:
                let shuffleName = configuration["shuffle"]?.stringValue ?? "noshuffle"
                guard let shuffle = ZarrCodecChain.shuffleNames.firstIndex(of: shuffleName) else {
                    throw ZarrError.invalidMetadata("blosc shuffle '\(shuffleName)' is not noshuffle, shuffle or bitshuffle")
                }
                compressor = .object([
                    ("id", .string("blosc")), ("cname", configuration["cname"] ?? .string("lz4")),
                    ("clevel", configuration["clevel"] ?? .int(5)), ("shuffle", .int(Int64(shuffle))),
                    ("blocksize", configuration["blocksize"] ?? .int(0)),
                ])
            case "zstd" where compressor == nil, "gzip" where compressor == nil:
                compressor = .object([("id", .string(name)), ("level", configuration["level"] ?? .int(name == "zstd" ? 3 : 1))])
            case _ where name.hasPrefix(ZarrCodecChain.numcodecsPrefix) && compressor == nil:
                // zarr-python's wrapper of a numcodecs codec: its configuration is the numcodecs one.
                let id = String(name.dropFirst(ZarrCodecChain.numcodecsPrefix.count))
                compressor = .object([("id", .string(id))] + (configuration.objectMembers ?? []).filter { $0.0 != "id" })
            default:
                throw ZarrError.invalidMetadata("codec \(codec.serialized(indent: 0)) is not supported here")
            }
        }
        self.init(compressor: compressor, checksum: checksum)
    }
}
