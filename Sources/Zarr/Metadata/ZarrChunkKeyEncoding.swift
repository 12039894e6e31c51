/// How a chunk's grid index becomes its key below the array: Zarr v3's `chunk_key_encoding`
/// (`default`: `c/0/1/2`; `v2`: `0.1.2`), with the separator either `/` or `.`. Zarr v2's
/// `dimension_separator` is the `v2` scheme with its separator.
///
/// Spec: https://zarr-specs.readthedocs.io/en/latest/v3/core/index.html#chunk-key-encoding.
public struct ZarrChunkKeyEncoding: Hashable, Sendable {
    /// The v3 scheme name.
    public enum Scheme: String, Sendable {
        /// `c` followed by the indices (v3's default).
        case `default`
        /// The indices alone, `0` for a scalar (v2's keys).
        case v2
    }

    /// The scheme.
    public var scheme: Scheme
    /// `/` or `.`.
    public var separator: String

    /// Creates an encoding.
    /// - Throws: `ZarrError.invalidMetadata` for a separator other than `/` or `.`.
    public init(scheme: Scheme, separator: String) throws {
        guard separator == "/" || separator == "." else {
            throw ZarrError.invalidMetadata("chunk key separator '\(separator)' is not '/' or '.'")
        }
        self.scheme = scheme
        self.separator = separator
    }

    /// Zarr v2's keys (`0.1.2`).
    public static let v2Dot = try! ZarrChunkKeyEncoding(scheme: .v2, separator: ".")
    /// Zarr v3's default keys (`c/0/1/2`).
    public static let v3Default = try! ZarrChunkKeyEncoding(scheme: .default, separator: "/")

    /// Reads a v3 `chunk_key_encoding` object.
    /// - Throws: `ZarrError.invalidMetadata` for an unknown name or separator.
    public init(v3JSON json: JSONValue?) throws {
        guard let json else { self = .v3Default; return }
        guard let name = json["name"]?.stringValue, let scheme = Scheme(rawValue: name) else {
            throw ZarrError.invalidMetadata("chunk_key_encoding \(json.serialized(indent: 0)) is not 'default' or 'v2'")
        }
        try self.init(scheme: scheme, separator: json["configuration"]?["separator"]?.stringValue ?? (scheme == .default ? "/" : "."))
    }

    /// The v3 `chunk_key_encoding` object.
    public var v3JSON: JSONValue {
        .object([("name", .string(scheme.rawValue)), ("configuration", .object([("separator", .string(separator))]))])
    }

    /// The key of the chunk at `indices` of the array named `name`.
    public func key(array name: String, indices: [Int]) -> String {
        switch scheme {
        case .default:
            return name + "/c" + indices.map { separator + String($0) }.joined()
        case .v2:
            return name + "/" + (indices.isEmpty ? "0" : indices.map(String.init).joined(separator: separator))
        }
    }
}
