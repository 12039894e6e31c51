/// The Zarr v2 rendering of an array spec: `.zarray` plus `.zattrs` with `_ARRAY_DIMENSIONS`.
extension ZarrArraySpec {
    /// The `.zarray` document.
    /// - Throws: `ZarrError.invalidMetadata` when the spec uses what v2 cannot express (shards, a checksum).
    public func v2Metadata() throws -> ZarrV2ArrayMetadata {
        if shards != nil { throw ZarrError.invalidMetadata("array '\(name)': Zarr v2 has no sharding") }
        if codecs.checksum { throw ZarrError.invalidMetadata("array '\(name)': Zarr v2 has no crc32c codec") }
        if let keyEncoding, keyEncoding.scheme != .v2 {
            throw ZarrError.invalidMetadata("array '\(name)': Zarr v2 has no '\(keyEncoding.scheme.rawValue)' chunk keys")
        }
        var metadata = ZarrV2ArrayMetadata(shape: shape, chunks: chunks, dataType: dataType, fillValue: fillValue, compressor: codecs.compressor)
        metadata.dimensionSeparator = keyEncoding?.separator ?? "."
        return metadata
    }

    /// The `.zattrs` document: the attributes, then `_ARRAY_DIMENSIONS` (xarray's dimension names).
    public var v2Attributes: JSONValue {
        attributes.setting("_ARRAY_DIMENSIONS", .array(dimensionNames.map { .string($0) }))
    }

    /// Reads an array from its `.zarray` and `.zattrs` documents.
    /// - Throws: `ZarrError.invalidMetadata` naming the bad member.
    public init(name: String, v2Metadata zarray: JSONValue, attributes: JSONValue) throws {
        let metadata = try ZarrV2ArrayMetadata(json: zarray)
        let dimensions = attributes["_ARRAY_DIMENSIONS"]?.arrayValue?.compactMap(\.stringValue)
            ?? metadata.shape.indices.map { "dim_\($0)" }
        guard dimensions.count == metadata.shape.count else {
            throw ZarrError.invalidMetadata("array '\(name)': _ARRAY_DIMENSIONS has \(dimensions.count) names for rank \(metadata.shape.count)")
        }
        let rest = attributes.objectMembers?.filter { $0.0 != "_ARRAY_DIMENSIONS" } ?? []
        self.init(name: name, shape: metadata.shape, chunks: metadata.chunks, dataType: metadata.dataType, fillValue: metadata.fillValue,
                  codecs: ZarrCodecChain(compressor: metadata.compressor), dimensionNames: dimensions, attributes: .object(rest))
        if let separator = zarray["dimension_separator"]?.stringValue, separator != "." {
            keyEncoding = try ZarrChunkKeyEncoding(scheme: .v2, separator: separator)
        }
    }
}
