import CubeCore
import Foundation
import Zarr

/// Zarr attributes (JSON) as CF attributes, decoded the way xarray encodes them.
///
/// - Text stays text; numbers and arrays of numbers become numbers (integers when every one is);
///   booleans become 0/1; objects and mixed arrays are dropped (CF has no use for them).
/// - `_ARRAY_DIMENSIONS` is dropped (it is the v2 dimension names, not an attribute).
/// - v3 `_FillValue` of a float array is the base64 of the little-endian float64 (xarray), decoded.
/// - v2 masks with the array's `fill_value` (xarray reads it as `_FillValue`), so it becomes
///   `_FillValue` when the attributes lack one.
enum ZarrAttributes {
    /// The CF attributes of an array.
    static func of(_ node: ZarrNodeMetadata, spec: ZarrArraySpec) -> [Attribute] {
        var attributes: [Attribute] = []
        for (name, value) in node.attributes.objectMembers ?? [] where name != "_ARRAY_DIMENSIONS" {
            if name == "_FillValue", let fill = cfFill(value) {
                attributes.append(Attribute(name, spec.dataType.isFloatingPoint ? .reals([fill]) : .integers([Int64(exactly: fill) ?? 0])))
            } else if let converted = attributeValue(value) {
                attributes.append(Attribute(name, converted))
            }
        }
        if node.format == .v2, attributes[named: "_FillValue"] == nil, spec.fillValue != .none {
            let fill = spec.fillValue.doubleValue
            attributes.append(Attribute("_FillValue", spec.dataType.isFloatingPoint ? .reals([fill]) : .integers([Int64(exactly: fill) ?? 0])))
        }
        return attributes
    }

    /// The group's attributes.
    static func of(group: JSONValue) -> [Attribute] {
        (group.objectMembers ?? []).compactMap { name, value in attributeValue(value).map { Attribute(name, $0) } }
    }

    /// A `_FillValue` as a number: a plain number, `"NaN"`/`"Infinity"`, or base64 of 8 bytes (a little-endian float64).
    static func cfFill(_ value: JSONValue) -> Double? {
        switch value {
        case let .int(i): return Double(i)
        case let .double(d): return d
        case .string("NaN"): return .nan
        case .string("Infinity"): return .infinity
        case .string("-Infinity"): return -.infinity
        case let .string(text):
            guard let data = Data(base64Encoded: text), data.count == 8 else { return nil }
            let bits = data.withUnsafeBytes { UInt64(littleEndian: $0.loadUnaligned(as: UInt64.self)) }
            return Double(bitPattern: bits)
        default: return nil
        }
    }

    private static func attributeValue(_ value: JSONValue) -> AttributeValue? {
        switch value {
        case let .string(text): return .text(text)
        case let .int(i): return .integers([i])
        case let .double(d): return .reals([d])
        case let .bool(b): return .integers([b ? 1 : 0])
        case let .array(items):
            if !items.isEmpty, items.allSatisfy({ if case .int = $0 { return true } else { return false } }) {
                return .integers(items.compactMap { if case let .int(i) = $0 { return i } else { return nil } })
            }
            let numbers = items.compactMap(\.doubleValue)
            if !items.isEmpty, numbers.count == items.count { return .reals(numbers) }
            let texts = items.compactMap(\.stringValue)
            if !items.isEmpty, texts.count == items.count { return .text(texts.joined(separator: " ")) }
            return nil
        case .null, .object: return nil
        }
    }
}
