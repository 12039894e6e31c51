public import CubeStorage

/// The metadata of a Zarr group and the arrays directly below it, read from a store in either
/// format: consolidated (v2 `.zmetadata`; v3 root `zarr.json` with zarr-python's inline
/// `consolidated_metadata`) in one request, else each array's documents found by listing.
///
/// ```swift
/// guard let group = try await ZarrGroupMetadata.load(storage: store) else { /* not a Zarr group */ }
/// for array in group.arrays { print(array.name, try array.spec().shape) }
/// ```
/// Nested groups are not descended into. Array names that are not single valid key segments are
/// ignored (a hostile document cannot make a reader leave the store).
public struct ZarrGroupMetadata: Sendable {
    /// The format of the group.
    public var format: ZarrFormat
    /// The group's attributes (an object).
    public var attributes: JSONValue
    /// The arrays directly below the group, sorted by name.
    public var arrays: [ZarrNodeMetadata]
    /// Whether the metadata came from consolidated metadata.
    public var consolidated: Bool

    /// Creates group metadata.
    public init(format: ZarrFormat, attributes: JSONValue, arrays: [ZarrNodeMetadata], consolidated: Bool) {
        self.format = format
        self.attributes = attributes
        self.arrays = arrays.sorted { $0.name < $1.name }
        self.consolidated = consolidated
    }

    /// Reads a v2 consolidated `.zmetadata` document.
    /// - Throws: `ZarrError.invalidMetadata` when it is not `{"metadata": {…}, "zarr_consolidated_format": 1}`.
    public init(v2Consolidated json: JSONValue) throws {
        guard json["zarr_consolidated_format"]?.intValue == 1, let members = json["metadata"]?.objectMembers else {
            throw ZarrError.invalidMetadata(".zmetadata is not consolidated metadata of format 1")
        }
        let documents = Dictionary(members, uniquingKeysWith: { first, _ in first })
        let arrays = documents.keys.compactMap { key -> ZarrNodeMetadata? in
            guard key.hasSuffix("/.zarray"), let zarray = documents[key] else { return nil }
            let name = String(key.dropLast("/.zarray".count))
            guard ZarrGroupMetadata.isArrayName(name) else { return nil }
            return ZarrNodeMetadata(name: name, format: .v2, document: zarray, attributes: documents[name + "/.zattrs"] ?? .object([]))
        }
        self.init(format: .v2, attributes: documents[".zattrs"] ?? .object([]), arrays: arrays, consolidated: true)
    }

    /// Reads a v3 root group `zarr.json`; its arrays when it holds inline consolidated metadata.
    /// - Throws: `ZarrError.invalidMetadata` when it is not a v3 group document.
    public init(v3Root json: JSONValue) throws {
        guard json["zarr_format"]?.intValue == 3 else { throw ZarrError.invalidMetadata("zarr.json: zarr_format is not 3") }
        guard json["node_type"]?.stringValue == "group" else {
            throw ZarrError.invalidMetadata("zarr.json: node_type is '\(json["node_type"]?.stringValue ?? "missing")', not 'group'")
        }
        let consolidated = json["consolidated_metadata"]?["metadata"]?.objectMembers
        let arrays = (consolidated ?? []).compactMap { name, document -> ZarrNodeMetadata? in
            guard ZarrGroupMetadata.isArrayName(name), document["node_type"]?.stringValue == "array" else { return nil }
            return ZarrNodeMetadata(name: name, format: .v3, document: document, attributes: document["attributes"] ?? .object([]))
        }
        self.init(format: .v3, attributes: json["attributes"] ?? .object([]), arrays: arrays, consolidated: consolidated != nil)
    }

    /// Reads the group at the root of `storage`: v3 `zarr.json` first, then v2 `.zmetadata`,
    /// then v2 `.zgroup` with each array's documents.
    /// - Returns: `nil` when the root holds none of `zarr.json`, `.zmetadata`, `.zgroup`.
    /// - Throws: `ZarrError.invalidMetadata` for malformed documents, or when the group is not
    ///   consolidated and the store cannot list its arrays; `StorageError` when reading fails.
    public static func load(storage: any ReadableStorage) async throws -> ZarrGroupMetadata? {
        if let root = try await storage.get("zarr.json") {
            var group = try ZarrGroupMetadata(v3Root: try JSONValue.parse(root))
            if !group.consolidated {
                for name in try await listed(storage, document: "zarr.json") {
                    guard let bytes = try await storage.get(StoreKey(name + "/zarr.json")) else { continue }
                    let document = try JSONValue.parse(bytes)
                    guard document["node_type"]?.stringValue == "array" else { continue }
                    group.arrays.append(ZarrNodeMetadata(name: name, format: .v3, document: document,
                                                         attributes: document["attributes"] ?? .object([])))
                }
            }
            return group
        }
        if let consolidated = try await storage.get(".zmetadata") {
            return try ZarrGroupMetadata(v2Consolidated: try JSONValue.parse(consolidated))
        }
        guard try await storage.get(".zgroup") != nil else { return nil }
        let attributes = try await storage.get(".zattrs").map { try JSONValue.parse($0) } ?? .object([])
        var arrays: [ZarrNodeMetadata] = []
        for name in try await listed(storage, document: ".zarray") {
            guard let zarray = try await storage.get(StoreKey(name + "/.zarray")) else { continue }
            let zattrs = try await storage.get(StoreKey(name + "/.zattrs")).map { try JSONValue.parse($0) } ?? .object([])
            arrays.append(ZarrNodeMetadata(name: name, format: .v2, document: try JSONValue.parse(zarray), attributes: zattrs))
        }
        return ZarrGroupMetadata(format: .v2, attributes: attributes, arrays: arrays, consolidated: false)
    }

    /// The names of the nodes directly below the root that hold `document`, found by listing.
    private static func listed(_ storage: any ReadableStorage, document: String) async throws -> [String] {
        guard let listable = storage as? any ListableStorage else {
            throw ZarrError.invalidMetadata("the group has no consolidated metadata and this store cannot list its arrays; "
                                                + "consolidate it (zarr.consolidate_metadata) or read it from a listable store")
        }
        return try await listable.list(prefix: "").compactMap { key in
            let parts = key.rawValue.split(separator: "/")
            guard parts.count == 2, parts[1] == document, isArrayName(String(parts[0])) else { return nil }
            return String(parts[0])
        }
    }

    /// Whether `name` can name an array directly below the group: one valid key segment.
    static func isArrayName(_ name: String) -> Bool {
        StoreKey.isValid(name) && !name.contains("/") && !name.hasPrefix(".")
    }
}
