import Foundation

/// A free-form JSON value inside a STAC document: item properties, a `query` or CQL2 `filter`,
/// the body of a `next` link. Codable, so documents decode with `JSONDecoder`.
public enum STACJSON: Codable, Hashable, Sendable {
    /// `null`.
    case null
    /// `true` or `false`.
    case bool(Bool)
    /// A number.
    case number(Double)
    /// A string.
    case string(String)
    /// An array.
    case array([STACJSON])
    /// An object (member order is not kept; encoding sorts keys).
    case object([String: STACJSON])

    /// Decodes any JSON value.
    public init(from decoder: any Decoder) throws {
        let container = try decoder.singleValueContainer()
        if container.decodeNil() {
            self = .null
        } else if let value = try? container.decode(Bool.self) {
            self = .bool(value)
        } else if let value = try? container.decode(Double.self) {
            self = .number(value)
        } else if let value = try? container.decode(String.self) {
            self = .string(value)
        } else if let value = try? container.decode([STACJSON].self) {
            self = .array(value)
        } else {
            self = .object(try container.decode([String: STACJSON].self))
        }
    }

    /// Encodes the value.
    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        switch self {
        case .null: try container.encodeNil()
        case let .bool(value): try container.encode(value)
        case let .number(value):
            if value == value.rounded(), abs(value) < 1e15 { try container.encode(Int64(value)) } else { try container.encode(value) }
        case let .string(value): try container.encode(value)
        case let .array(value): try container.encode(value)
        case let .object(value): try container.encode(value)
        }
    }

    /// The string, if this is one.
    public var stringValue: String? { if case let .string(s) = self { s } else { nil } }
    /// The number, if this is one.
    public var numberValue: Double? { if case let .number(n) = self { n } else { nil } }
    /// The members, if this is an object.
    public var objectValue: [String: STACJSON]? { if case let .object(o) = self { o } else { nil } }
    /// The member `key` of an object, or `nil`.
    public subscript(key: String) -> STACJSON? { objectValue?[key] }

    /// Compact JSON text, keys sorted (stable across runs: for lineage and request records).
    public var text: String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return (try? encoder.encode(self)).flatMap { String(bytes: $0, encoding: .utf8) } ?? "null"
    }

    /// Parses JSON text.
    /// - Throws: `DecodingError` when `text` is not JSON.
    public init(parsing text: String) throws {
        self = try JSONDecoder().decode(STACJSON.self, from: Data(text.utf8))
    }
}
