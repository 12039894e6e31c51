import CubeCore
import Zarr

extension JSONValue {
    /// An attribute value as JSON: one number or text as itself, several as an array; NaN and
    /// infinities as the strings zarr-python reads ("NaN", "Infinity", "-Infinity").
    init(attribute value: AttributeValue) {
        switch value {
        case let .text(t): self = .string(t)
        case let .reals(v): self = v.count == 1 ? .number(v[0]) : .array(v.map(JSONValue.number))
        case let .integers(v): self = v.count == 1 ? .int(v[0]) : .array(v.map { .int($0) })
        }
    }

    /// A number as JSON; NaN and infinities as strings.
    static func number(_ d: Double) -> JSONValue {
        if d.isNaN { return .string("NaN") }
        if d.isInfinite { return .string(d < 0 ? "-Infinity" : "Infinity") }
        return .double(d)
    }
}

/// The ISO 8601 duration of a constant step (`P1D`, `PT6H`, `PT30M`, `PT10S`), or `nil` for
/// steps that are not whole seconds, or irregular ones.
enum ISODuration {
    /// The duration of the gaps between `seconds` when they are all equal.
    static func of(steps seconds: [Double]) -> String? {
        let gaps = Set(zip(seconds, seconds.dropFirst()).map { $1 - $0 })
        guard gaps.count == 1, let d = gaps.first, d > 0, d == d.rounded() else { return nil }
        let whole = Int(d)
        if whole % 86400 == 0 { return "P\(whole / 86400)D" }
        if whole % 3600 == 0 { return "PT\(whole / 3600)H" }
        if whole % 60 == 0 { return "PT\(whole / 60)M" }
        return "PT\(whole)S"
    }
}
