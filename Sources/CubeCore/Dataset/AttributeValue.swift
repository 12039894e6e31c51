/// The value of a NetCDF/CF attribute.
public enum AttributeValue: Hashable, Sendable, CustomStringConvertible {
    /// Text.
    case text(String)
    /// Floating-point numbers (one or more).
    case reals([Double])
    /// Integers (one or more).
    case integers([Int64])

    /// The text, if this is text.
    public var text: String? {
        if case let .text(t) = self { return t }
        return nil
    }

    /// The numbers as doubles, if numeric.
    public var numbers: [Double]? {
        switch self {
        case .text: return nil
        case let .reals(v): return v
        case let .integers(v): return v.map(Double.init)
        }
    }

    /// The first number, if numeric and not empty.
    public var number: Double? { numbers?.first }

    /// The value as it would be printed by ncdump.
    public var description: String {
        switch self {
        case let .text(t): return "\"\(t)\""
        case let .reals(v): return v.map { "\($0)" }.joined(separator: ", ")
        case let .integers(v): return v.map { "\($0)" }.joined(separator: ", ")
        }
    }
}

/// A named attribute.
public struct Attribute: Hashable, Sendable {
    /// The attribute name.
    public var name: String
    /// Its value.
    public var value: AttributeValue

    /// Creates an attribute.
    public init(_ name: String, _ value: AttributeValue) {
        self.name = name
        self.value = value
    }
}

extension Array where Element == Attribute {
    /// The value of the attribute named `name`, or `nil`.
    public subscript(named name: String) -> AttributeValue? { first { $0.name == name }?.value }
}
