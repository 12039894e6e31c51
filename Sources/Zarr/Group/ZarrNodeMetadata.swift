/// The stored metadata of one array of a group, as found (consolidated or in its own documents),
/// before it is interpreted: the format, the array document and the attributes exactly as
/// stored (`_ARRAY_DIMENSIONS`, CF `_FillValue` included).
public struct ZarrNodeMetadata: Sendable {
    /// The array's name (its key prefix below the group).
    public var name: String
    /// The format its documents are in.
    public var format: ZarrFormat
    /// Its `.zarray` (v2) or `zarr.json` (v3).
    public var document: JSONValue
    /// Its attributes as stored: `.zattrs` (v2) or the document's `attributes` (v3); an object.
    public var attributes: JSONValue

    /// Creates a node description.
    public init(name: String, format: ZarrFormat, document: JSONValue, attributes: JSONValue) {
        self.name = name
        self.format = format
        self.document = document
        self.attributes = attributes
    }

    /// Whether the stored metadata names the dimensions (`_ARRAY_DIMENSIONS` in v2,
    /// `dimension_names` in v3); without them the array's axes cannot be identified.
    public var hasDimensionNames: Bool {
        switch format {
        case .v2: return attributes["_ARRAY_DIMENSIONS"]?.arrayValue?.allSatisfy { $0.stringValue != nil } ?? false
        case .v3: return document["dimension_names"]?.arrayValue?.allSatisfy { $0.stringValue?.isEmpty == false } ?? false
        }
    }

    /// The codec names the array's metadata uses that this module cannot decode (v3 codec
    /// `name`s, v2 compressor and filter `id`s), in order; empty when every codec is known.
    /// - Parameter registry: The compressors known by id.
    public func unknownCodecs(registry: CodecRegistry = .standard) -> [String] {
        switch format {
        case .v2:
            let filters = document["filters"]?.arrayValue?.map { $0["id"]?.stringValue ?? "?" } ?? []
            let compressor = document["compressor"].flatMap { $0 == .null ? nil : ($0["id"]?.stringValue ?? "?") }
            return filters + [compressor].compactMap { $0 }.filter { registry.descriptors[$0] == nil }
        case .v3:
            let structural: Set<String> = ["bytes", "crc32c", "sharding_indexed"]
            func names(_ codecs: [JSONValue]) -> [String] {
                codecs.flatMap { codec -> [String] in
                    let name = codec["name"]?.stringValue ?? "?"
                    if name == "sharding_indexed" { return names(codec["configuration"]?["codecs"]?.arrayValue ?? []) }
                    let id = name.hasPrefix(ZarrCodecChain.numcodecsPrefix) ? String(name.dropFirst(ZarrCodecChain.numcodecsPrefix.count)) : name
                    return structural.contains(name) || registry.descriptors[id] != nil ? [] : [name]
                }
            }
            return names(document["codecs"]?.arrayValue ?? [])
        }
    }

    /// The array spec the documents describe.
    /// - Throws: `ZarrError.invalidMetadata` naming the bad member.
    public func spec() throws -> ZarrArraySpec {
        switch format {
        case .v2:
            if let separator = document["dimension_separator"]?.stringValue, separator != ".", separator != "/" {
                throw ZarrError.invalidMetadata("array '\(name)': dimension_separator '\(separator)' is not '.' or '/'")
            }
            return try ZarrArraySpec(name: name, v2Metadata: document, attributes: attributes)
        case .v3:
            return try ZarrArraySpec(name: name, v3Document: document)
        }
    }
}
