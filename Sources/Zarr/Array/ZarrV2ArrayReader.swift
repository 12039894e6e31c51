public import CubeStorage

/// Reads the chunks of a Zarr v2 array from a store: metadata, then decoded chunk bytes.
public struct ZarrV2ArrayReader: Sendable {
    /// The array's `.zarray`.
    public let metadata: ZarrV2ArrayMetadata
    /// The array's name (key prefix).
    public let name: String
    private let storage: any ReadableStorage
    private let codec: (any BytesCodec)?

    /// Opens the array `name` of the group in `storage`.
    /// - Throws: `ZarrError.invalidMetadata` when `.zarray` is missing or malformed.
    public init(storage: any ReadableStorage, name: String, codecs: CodecRegistry = .standard) async throws {
        guard let bytes = try await storage.get(StoreKey(name + "/.zarray")) else {
            throw ZarrError.invalidMetadata("no array '\(name)' (missing \(name)/.zarray)")
        }
        let metadata = try ZarrV2ArrayMetadata(json: try JSONValue.parse(bytes))
        self.metadata = metadata
        self.name = name
        self.storage = storage
        codec = try metadata.compressor.map { try codecs.makeCodec($0, elementSize: metadata.dataType.size) }
    }

    /// The decoded bytes of chunk `indices` (a full chunk, edge chunks padded), or `nil` when the
    /// chunk is not stored.
    /// - Throws: `ZarrError` when the chunk cannot be decoded.
    public func chunk(_ indices: [Int]) async throws -> [UInt8]? {
        let key = ZarrV2ArrayMetadata.chunkKey(array: name, indices: indices)
        guard let stored = try await storage.get(StoreKey(key)) else { return nil }
        let count = metadata.chunks.reduce(1, *) * metadata.dataType.size
        return try codec?.decode(stored, decodedCount: count) ?? stored
    }
}
