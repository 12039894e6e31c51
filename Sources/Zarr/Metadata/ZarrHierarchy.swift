/// A group with arrays below it, in either format, with its consolidated metadata.
///
/// v2: `.zattrs`, `.zgroup`, `NAME/.zarray`, `NAME/.zattrs`, then `.zmetadata`. v3: `zarr.json` per
/// node, then the root `zarr.json` again with the other nodes' documents inlined as zarr-python 3
/// does (`"consolidated_metadata": {"kind": "inline", "must_understand": false, "metadata": {…}}`),
/// so `xarray.open_zarr` opens it without listing the store or warning.
public struct ZarrHierarchy: Sendable {
    /// The format written.
    public var format: ZarrFormat
    /// The group's attributes (an object).
    public var attributes: JSONValue
    /// The arrays, in the order their documents are written.
    public var arrays: [ZarrArraySpec]

    /// Creates a hierarchy.
    public init(format: ZarrFormat, attributes: JSONValue, arrays: [ZarrArraySpec]) {
        self.format = format
        self.attributes = attributes
        self.arrays = arrays
    }

    /// Every document except the consolidated one, as (key, JSON) in writing order.
    /// - Throws: `ZarrError` when an array cannot be expressed in the format.
    public func documents() throws -> [(key: String, document: JSONValue)] {
        switch format {
        case .v2:
            return try v2Hierarchy().documents.map { (key: $0.0, document: $0.1) }
        case .v3:
            var docs: [(key: String, document: JSONValue)] = [(key: "zarr.json", document: v3Group(consolidated: nil))]
            for array in arrays { docs.append((key: array.name + "/zarr.json", document: try array.v3Document())) }
            return docs
        }
    }

    /// The consolidated metadata, written last: `.zmetadata` (v2) or the root `zarr.json` with
    /// inline consolidated metadata (v3).
    /// - Throws: `ZarrError` when an array cannot be expressed in the format.
    public func consolidated() throws -> (key: String, document: JSONValue) {
        switch format {
        case .v2:
            return (key: ".zmetadata", document: try v2Hierarchy().consolidated)
        case .v3:
            let nodes = try arrays.map { ($0.name, try $0.v3Document()) }.sorted { $0.0 < $1.0 }
            return (key: "zarr.json", document: v3Group(consolidated: .object(nodes)))
        }
    }

    /// The v3 root group document; with `consolidated`, the inline consolidated metadata.
    func v3Group(consolidated: JSONValue?) -> JSONValue {
        var members: [(String, JSONValue)] = [("attributes", attributes), ("zarr_format", .int(3))]
        if let consolidated {
            members.append(("consolidated_metadata", .object([
                ("kind", .string("inline")), ("must_understand", .bool(false)), ("metadata", consolidated),
            ])))
        }
        members.append(("node_type", .string("group")))
        return .object(members)
    }

    func v2Hierarchy() throws -> ZarrV2Hierarchy {
        ZarrV2Hierarchy(attributes: attributes, arrays: try arrays.map {
            ZarrV2Hierarchy.Array(name: $0.name, metadata: try $0.v2Metadata(), attributes: $0.v2Attributes)
        })
    }
}
