/// The metadata documents of a Zarr v2 group with arrays below it, consolidated like xarray does.
///
/// Produces `.zgroup`, `.zattrs`, `NAME/.zarray`, `NAME/.zattrs` and the consolidated `.zmetadata`
/// (`{"metadata": {…}, "zarr_consolidated_format": 1}`) that `xarray.open_zarr` reads.
public struct ZarrV2Hierarchy: Sendable {
    /// One array of the group.
    public struct Array: Sendable {
        /// The array's name (its key prefix).
        public var name: String
        /// Its `.zarray`.
        public var metadata: ZarrV2ArrayMetadata
        /// Its `.zattrs` (an object).
        public var attributes: JSONValue

        /// Creates an array entry.
        public init(name: String, metadata: ZarrV2ArrayMetadata, attributes: JSONValue) {
            self.name = name
            self.metadata = metadata
            self.attributes = attributes
        }
    }

    /// The group's attributes (an object).
    public var attributes: JSONValue
    /// The arrays, in the order their documents are written.
    public var arrays: [Array]

    /// Creates a hierarchy.
    public init(attributes: JSONValue, arrays: [Array]) {
        self.attributes = attributes
        self.arrays = arrays
    }

    /// Every document except `.zmetadata`, as (key, JSON) in writing order.
    public var documents: [(String, JSONValue)] {
        var docs: [(String, JSONValue)] = [(".zattrs", attributes), (".zgroup", .object([("zarr_format", .int(2))]))]
        for array in arrays {
            docs.append((array.name + "/.zarray", array.metadata.json))
            docs.append((array.name + "/.zattrs", array.attributes))
        }
        return docs
    }

    /// The consolidated `.zmetadata` document.
    public var consolidated: JSONValue {
        let sorted = documents.sorted { $0.0 < $1.0 }
        return .object([("metadata", .object(sorted)), ("zarr_consolidated_format", .int(1))])
    }
}
