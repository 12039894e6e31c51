/// The `.zarray` document of a Zarr v2 array.
///
/// Spec: https://zarr-specs.readthedocs.io/en/latest/v2/v2.0.html#arrays. Arrays are always C order
/// with no filters, the layout xarray writes; CubeGen writes `"."` as dimension separator and reads `"/"` too.
public struct ZarrV2ArrayMetadata: Hashable, Sendable {
    /// The array's shape; empty for a scalar.
    public var shape: [Int]
    /// The chunk shape; same rank as `shape`.
    public var chunks: [Int]
    /// The element type.
    public var dataType: ZarrDataType
    /// What missing chunks read as.
    public var fillValue: ZarrFillValue
    /// The compressor's numcodecs configuration (`{"id": "blosc", …}`), or `nil` for none.
    public var compressor: JSONValue?
    /// `dimension_separator`: `.` (what CubeGen writes) or `/`.
    public var dimensionSeparator = "."

    /// Creates array metadata.
    public init(shape: [Int], chunks: [Int], dataType: ZarrDataType, fillValue: ZarrFillValue, compressor: JSONValue?) {
        precondition(shape.count == chunks.count, "shape and chunks must have the same rank")
        self.shape = shape
        self.chunks = chunks
        self.dataType = dataType
        self.fillValue = fillValue
        self.compressor = compressor
    }

    /// The number of chunks along each dimension.
    public var chunkCounts: [Int] { zip(shape, chunks).map { $1 == 0 ? 0 : ($0 + $1 - 1) / $1 } }

    /// The document as JSON, members in zarr-python's order.
    public var json: JSONValue {
        .object([
            ("chunks", .array(chunks.map { .int(Int64($0)) })),
            ("compressor", compressor ?? .null),
            ("dimension_separator", .string(dimensionSeparator)),
            ("dtype", .string(dataType.v2Name)),
            ("fill_value", fillValue.v2JSON(for: dataType)),
            ("filters", .null),
            ("order", .string("C")),
            ("shape", .array(shape.map { .int(Int64($0)) })),
            ("zarr_format", .int(2)),
        ])
    }

    /// Reads a `.zarray` document.
    /// - Throws: `ZarrError.invalidMetadata` naming the first bad member.
    public init(json: JSONValue) throws {
        guard json["zarr_format"]?.intValue == 2 else { throw ZarrError.invalidMetadata("zarr_format is not 2") }
        guard let shape = json["shape"]?.arrayValue?.compactMap(\.intValue),
            let chunks = json["chunks"]?.arrayValue?.compactMap(\.intValue), shape.count == chunks.count
        else { throw ZarrError.invalidMetadata("shape/chunks missing or of different rank") }
        guard let name = json["dtype"]?.stringValue, let dataType = ZarrDataType(v2Name: name) else {
            throw ZarrError.invalidMetadata("unsupported dtype \(json["dtype"]?.serialized(indent: 0) ?? "null")")
        }
        guard json["order"]?.stringValue ?? "C" == "C" else { throw ZarrError.invalidMetadata("only order C is supported") }
        let compressor = json["compressor"].flatMap { $0 == .null ? nil : $0 }
        self.init(shape: shape, chunks: chunks, dataType: dataType,
                  fillValue: try ZarrFillValue(v2JSON: json["fill_value"] ?? .null), compressor: compressor)
    }

    /// The key of the chunk at `indices` of the array named `name` (`"tas/0.1.2"`; `"tas/0"` for a scalar).
    public static func chunkKey(array name: String, indices: [Int]) -> String {
        ZarrChunkKeyEncoding.v2Dot.key(array: name, indices: indices)
    }
}
