/// The fill value of a Zarr array: what a missing chunk reads as.
public enum ZarrFillValue: Hashable, Sendable {
    /// No fill value (`null`).
    case none
    /// Not-a-number.
    case nan
    /// Positive or negative infinity.
    case infinity(negative: Bool)
    /// A finite number.
    case number(Double)

    /// The v2 `.zarray` representation: non-finite floats as the strings `"NaN"`, `"Infinity"`,
    /// `"-Infinity"`; integers as JSON integers.
    /// - Parameter dataType: The array's data type (integers are written without a fraction).
    public func v2JSON(for dataType: ZarrDataType) -> JSONValue {
        switch self {
        case .none: return .null
        case .nan: return .string("NaN")
        case let .infinity(negative): return .string(negative ? "-Infinity" : "Infinity")
        case let .number(value):
            return dataType.isFloatingPoint ? .double(value) : .int(Int64(value))
        }
    }

    /// Reads the v2 representation.
    /// - Throws: `ZarrError.invalidMetadata` for anything else.
    public init(v2JSON: JSONValue) throws {
        switch v2JSON {
        case .null: self = .none
        case .string("NaN"): self = .nan
        case .string("Infinity"): self = .infinity(negative: false)
        case .string("-Infinity"): self = .infinity(negative: true)
        case let .int(i): self = .number(Double(i))
        case let .double(d): self = .number(d)
        default: throw ZarrError.invalidMetadata("fill_value \(v2JSON.serialized(indent: 0)) is not a number")
        }
    }

    /// The fill value as a double (`nan` for `.none`, which has no value to compare with).
    public var doubleValue: Double {
        switch self {
        case .none, .nan: return .nan
        case let .infinity(negative): return negative ? -.infinity : .infinity
        case let .number(v): return v
        }
    }
}
