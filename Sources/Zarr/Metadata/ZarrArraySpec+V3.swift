import Foundation

/// The Zarr v3 rendering of an array spec: one `zarr.json` (array node).
///
/// Spec: https://zarr-specs.readthedocs.io/en/latest/v3/core/index.html#array-metadata; members in
/// the order zarr-python 3 writes them. A sharded array's `chunk_grid` holds the shard shape and
/// its single `sharding_indexed` codec the chunk shape, the chunk codecs, and an index of
/// `bytes` + `crc32c` at the end of the shard.
extension ZarrArraySpec {
    /// The array's `zarr.json`.
    /// - Throws: `ZarrError.invalidMetadata` for shards that are not a multiple of the chunks, or
    ///   `ZarrError.invalidCodecConfiguration` for a compressor v3 cannot express.
    public func v3Document() throws -> JSONValue {
        let chunkCodecs = try codecs.v3Codecs(elementSize: dataType.size)
        let codecList: [JSONValue]
        if let shards {
            guard shards.count == chunks.count, zip(shards, chunks).allSatisfy({ $1 > 0 && $0 % $1 == 0 }) else {
                throw ZarrError.invalidMetadata("array '\(name)': shard shape \(shards) is not a multiple of chunk shape \(chunks)")
            }
            codecList = [.object([
                ("name", .string("sharding_indexed")),
                ("configuration", .object([
                    ("chunk_shape", ZarrArraySpec.intArray(chunks)),
                    ("codecs", .array(chunkCodecs)),
                    ("index_codecs", .array(ZarrShardIndex.codecs)),
                    ("index_location", .string("end")),
                ])),
            ])]
        } else {
            codecList = chunkCodecs
        }
        var attributes = self.attributes
        if masksFill, let fill = cfFillValue { attributes = attributes.setting("_FillValue", fill) }
        return .object([
            ("shape", ZarrArraySpec.intArray(shape)),
            ("data_type", .string(dataType.rawValue)),
            ("chunk_grid", .object([("name", .string("regular")), ("configuration", .object([("chunk_shape", ZarrArraySpec.intArray(storedShape))]))])),
            ("chunk_key_encoding", (keyEncoding ?? .v3Default).v3JSON),
            ("fill_value", v3FillValue),
            ("codecs", .array(codecList)),
            ("attributes", attributes),
            ("dimension_names", .array(dimensionNames.map { .string($0) })),
            ("zarr_format", .int(3)),
            ("node_type", .string("array")),
            ("storage_transformers", .array([])),
        ])
    }

    /// The `fill_value` member: `"NaN"`/`"Infinity"`/`"-Infinity"` or a number; v3 has no null
    /// fill, so `.none` is NaN for floats and 0 for integers.
    var v3FillValue: JSONValue {
        switch fillValue {
        case .none: return dataType.isFloatingPoint ? .string("NaN") : .int(0)
        default: return fillValue.v2JSON(for: dataType)
        }
    }

    /// The CF `_FillValue` attribute as xarray writes it for v3: floats as the base64 of the
    /// little-endian float64 (NaN is `"AAAAAAAA+H8="`), integers as a plain integer; `nil` without a fill.
    var cfFillValue: JSONValue? {
        if fillValue == .none { return nil }
        let value = fillValue.doubleValue
        guard dataType.isFloatingPoint else { return .int(Int64(value)) }
        let bits = value.isNaN ? Double.nan.bitPattern : value.bitPattern
        return .string(withUnsafeBytes(of: bits.littleEndian) { Data($0) }.base64EncodedString())
    }

    /// Reads an array from its `zarr.json`.
    /// - Throws: `ZarrError.invalidMetadata` naming the bad member.
    public init(name: String, v3Document json: JSONValue) throws {
        func bad(_ what: String) -> ZarrError { .invalidMetadata("\(name)/zarr.json: \(what)") }
        guard json["zarr_format"]?.intValue == 3 else { throw bad("zarr_format is not 3") }
        guard json["node_type"]?.stringValue == "array" else { throw bad("node_type is not 'array'") }
        guard let shape = json["shape"]?.arrayValue?.compactMap(\.intValue) else { throw bad("no shape") }
        guard let typeName = json["data_type"]?.stringValue, let dataType = ZarrDataType(rawValue: typeName) else {
            throw bad("unsupported data_type \(json["data_type"]?.serialized(indent: 0) ?? "null")")
        }
        guard json["chunk_grid"]?["name"]?.stringValue == "regular",
            let grid = json["chunk_grid"]?["configuration"]?["chunk_shape"]?.arrayValue?.compactMap(\.intValue), grid.count == shape.count
        else { throw bad("chunk_grid is not a regular grid of rank \(shape.count)") }
        let keyEncoding: ZarrChunkKeyEncoding
        do {
            keyEncoding = try ZarrChunkKeyEncoding(v3JSON: json["chunk_key_encoding"])
        } catch let ZarrError.invalidMetadata(message) {
            throw bad(message)
        }
        guard let codecList = json["codecs"]?.arrayValue, !codecList.isEmpty else { throw bad("no codecs") }
        var chunks = grid, shards: [Int]? = nil
        let chain: ZarrCodecChain
        do {
            if codecList.count == 1, codecList[0]["name"]?.stringValue == "sharding_indexed" {
                let configuration = codecList[0]["configuration"] ?? .null
                guard let inner = configuration["chunk_shape"]?.arrayValue?.compactMap(\.intValue), inner.count == shape.count,
                    zip(grid, inner).allSatisfy({ $1 > 0 && $0 % $1 == 0 })
                else { throw bad("sharding chunk_shape is not a divisor of the shard shape \(grid)") }
                guard configuration["index_location"]?.stringValue ?? "end" == "end",
                    configuration["index_codecs"]?.arrayValue == ZarrShardIndex.codecs
                else { throw bad("only a shard index at the end with codecs bytes (little) + crc32c is supported") }
                shards = grid
                chunks = inner
                chain = try ZarrCodecChain(v3Codecs: configuration["codecs"]?.arrayValue ?? [])
            } else {
                chain = try ZarrCodecChain(v3Codecs: codecList)
            }
        } catch let error as ZarrError {
            if case let .invalidMetadata(message) = error, !message.hasPrefix(name) { throw bad(message) }
            throw error
        }
        guard shape.allSatisfy({ $0 >= 0 }), chunks.allSatisfy({ $0 >= 1 }) else {
            throw bad("shape \(shape) or chunk shape \(chunks) has a negative or zero size")
        }
        // Chunk bytes and chunks per shard must be countable without overflow.
        for (what, sizes) in [("chunk shape", chunks + [dataType.size]), ("shard", zip(grid, chunks).map { $0 / $1 })] {
            var total = 1
            for size in sizes {
                let (product, overflow) = total.multipliedReportingOverflow(by: size)
                guard !overflow, product <= 1 << 40 else { throw bad("\(what) \(sizes.dropLast(what == "shard" ? 0 : 1)) is too large") }
                total = product
            }
        }
        let fill = try ZarrFillValue(v2JSON: json["fill_value"] ?? .null)
        let dimensions = json["dimension_names"]?.arrayValue?.map { $0.stringValue ?? "" } ?? shape.indices.map { "dim_\($0)" }
        guard dimensions.count == shape.count else { throw bad("dimension_names has \(dimensions.count) names for rank \(shape.count)") }
        var attributes = json["attributes"] ?? .object([])
        let masks = attributes["_FillValue"] != nil
        if masks { attributes = .object(attributes.objectMembers?.filter { $0.0 != "_FillValue" } ?? []) }
        self.init(name: name, shape: shape, chunks: chunks, shards: shards, dataType: dataType, fillValue: fill, codecs: chain,
                  dimensionNames: dimensions, attributes: attributes, masksFill: masks)
        if keyEncoding != .v3Default { self.keyEncoding = keyEncoding }
    }

    static func intArray(_ values: [Int]) -> JSONValue { .array(values.map { .int(Int64($0)) }) }
}
