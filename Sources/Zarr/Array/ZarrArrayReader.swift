public import CubeStorage

/// Reads an array of a Zarr v2 or v3 group: its spec, then decoded chunks, checking every
/// checksum on the way (a shard index's and a `crc32c` codec's).
///
/// ```swift
/// let reader = try await ZarrArrayReader(storage: store, name: "tas")
/// let values = try await reader.allValues()
/// ```
public struct ZarrArrayReader: Sendable {
    /// The format found (`zarr.json` → v3, `.zarray` → v2).
    public let format: ZarrFormat
    /// The array.
    public let spec: ZarrArraySpec
    let storage: any ReadableStorage
    let decoder: ZarrChunkDecoder

    /// Opens the array `name` of the group in `storage`.
    /// - Throws: `ZarrError.invalidMetadata` when neither `NAME/zarr.json` nor `NAME/.zarray`
    ///   exists or the document is malformed; a codec error for unknown codecs.
    public init(storage: any ReadableStorage, name: String, registry: CodecRegistry = .standard) async throws {
        let (format, spec) = try await ZarrArrayReader.metadata(storage: storage, name: name)
        let decoder = try ZarrChunkDecoder(spec: spec, format: format, registry: registry)
        self.init(format: format, spec: spec, storage: storage, decoder: decoder)
    }

    /// Opens an array whose metadata was already read (from consolidated metadata, say): no
    /// storage request is made.
    /// - Throws: `ZarrError.unknownCodec` or a codec's configuration error.
    public init(storage: any ReadableStorage, spec: ZarrArraySpec, format: ZarrFormat, registry: CodecRegistry = .standard) throws {
        self.init(format: format, spec: spec, storage: storage,
                  decoder: try ZarrChunkDecoder(spec: spec, format: format, registry: registry))
    }

    private init(format: ZarrFormat, spec: ZarrArraySpec, storage: any ReadableStorage, decoder: ZarrChunkDecoder) {
        self.format = format
        self.spec = spec
        self.storage = storage
        self.decoder = decoder
    }

    /// Reads the array's documents: `NAME/zarr.json` (v3), else `NAME/.zarray` and `NAME/.zattrs` (v2).
    private static func metadata(storage: any ReadableStorage, name: String) async throws -> (ZarrFormat, ZarrArraySpec) {
        if let document = try await storage.get(StoreKey(name + "/zarr.json")) {
            return (.v3, try ZarrArraySpec(name: name, v3Document: try JSONValue.parse(document)))
        }
        guard let zarray = try await storage.get(StoreKey(name + "/.zarray")) else {
            throw ZarrError.invalidMetadata("no array '\(name)' (neither \(name)/zarr.json nor \(name)/.zarray)")
        }
        let attributes = try await storage.get(StoreKey(name + "/.zattrs")).map { try JSONValue.parse($0) } ?? .object([])
        return (.v2, try ZarrArraySpec(name: name, v2Metadata: try JSONValue.parse(zarray), attributes: attributes))
    }

    /// The decoded chunks of the stored object (shard, or chunk) at `unit`, in C order of the
    /// shard's inner chunks (`nil` entries: not stored, all fill); `nil` when the object is not stored.
    /// - Throws: `ZarrError.corruptChunk` naming the key when the shard index, a checksum or a
    ///   chunk does not decode.
    public func unit(_ unit: [Int]) async throws -> [[UInt8]?]? {
        let key = spec.storedKey(unit, format: format)
        guard let stored = try await storage.get(StoreKey(key)) else { return nil }
        return try decoder.decode(stored, key: key)
    }

    /// The decoded bytes of chunk `indices` (edge chunks padded), or `nil` when it is not stored.
    /// - Throws: `ZarrError.corruptChunk` naming the key when it does not decode.
    public func chunk(_ indices: [Int]) async throws -> [UInt8]? {
        guard spec.shards != nil else { return try await unit(indices)?.first ?? nil }
        let perShard = spec.chunksPerShard
        let shard = zip(indices, perShard).map { $0 / $1 }
        let inner = zip(indices, perShard).map { $0 % $1 }
        return try await unit(shard)?[ZarrBlock.flat(inner, perShard)] ?? nil
    }

    /// The stored (encoded) bytes of chunk `indices` of an unsharded array, or `nil` when it is
    /// not stored; `decode(stored:at:byteRange:)` decodes parts of them.
    /// - Throws: `ZarrError.invalidMetadata` for a sharded array; storage errors.
    public func storedChunk(_ indices: [Int]) async throws -> [UInt8]? {
        guard spec.shards == nil else { throw ZarrError.invalidMetadata("\(spec.name): chunks of a sharded array are stored in shards") }
        return try await storage.get(StoreKey(spec.storedKey(indices, format: format)))
    }

    /// The bytes `byteRange` of chunk `indices` decoded from its stored bytes, decoding no more of
    /// it than the codecs need (`decodesRanges`).
    /// - Throws: `ZarrError.corruptChunk` naming the key when it does not decode.
    public func decode(stored: [UInt8], at indices: [Int], byteRange: Range<Int>) throws -> [UInt8] {
        try decoder.decodeChunk(stored, key: spec.storedKey(indices, format: format), byteRange: byteRange)
    }

    /// Whether `decode(stored:at:byteRange:)` decodes less than a whole chunk: an unsharded
    /// array without codecs or with Blosc alone.
    public var decodesRanges: Bool { spec.shards == nil && decoder.decodesRanges }

    /// Every element of the array in C order as `Double` (chunks not stored read as the fill
    /// value; zeros without a fill value). Meant for coordinates, tests and other small arrays.
    /// - Throws: `ZarrError.corruptChunk` when a chunk cannot be decoded.
    public func allValues() async throws -> [Double] {
        let shape = spec.shape
        var out = [UInt8]()
        let fill = spec.dataType.bytes(of: spec.fillValue)
        let count = shape.reduce(1, *)
        out.reserveCapacity(count * spec.dataType.size)
        for _ in 0..<count { out += fill }
        guard count > 0 else { return [] }
        let perShard = spec.chunksPerShard
        for unitIndex in spec.storedIndices {
            guard let chunks = try await unit(unitIndex) else { continue }
            for (k, inner) in ZarrArraySpec.indices(perShard).enumerated() {
                guard let bytes = chunks[k] else { continue }
                let origin = (0..<shape.count).map { (unitIndex[$0] * perShard[$0] + inner[$0]) * spec.chunks[$0] }
                ZarrBlock.insert(bytes, shape: spec.chunks, into: &out, targetShape: shape, origin: origin, elementSize: spec.dataType.size)
            }
        }
        return spec.dataType.doubles(out)
    }
}
