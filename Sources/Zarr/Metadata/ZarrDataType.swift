/// A fixed-size numeric data type of a Zarr array.
public enum ZarrDataType: String, Sendable, CaseIterable, Hashable {
    /// 8-bit signed integer.
    case int8
    /// 16-bit signed integer.
    case int16
    /// 32-bit signed integer.
    case int32
    /// 64-bit signed integer.
    case int64
    /// 8-bit unsigned integer.
    case uint8
    /// 16-bit unsigned integer.
    case uint16
    /// 32-bit unsigned integer.
    case uint32
    /// 64-bit unsigned integer.
    case uint64
    /// IEEE 754 binary32.
    case float32
    /// IEEE 754 binary64.
    case float64

    /// Bytes per element.
    public var size: Int {
        switch self {
        case .int8, .uint8: return 1
        case .int16, .uint16: return 2
        case .int32, .uint32, .float32: return 4
        case .int64, .uint64, .float64: return 8
        }
    }

    /// Whether the type is a floating-point type.
    public var isFloatingPoint: Bool { self == .float32 || self == .float64 }

    /// The Zarr v2 `dtype` string, little-endian (`"<f4"`, `"|i1"`).
    public var v2Name: String {
        let kind: String
        switch self {
        case .int8, .int16, .int32, .int64: kind = "i"
        case .uint8, .uint16, .uint32, .uint64: kind = "u"
        case .float32, .float64: kind = "f"
        }
        return (size == 1 ? "|" : "<") + kind + String(size)
    }

    /// Parses a Zarr v2 `dtype` string; `nil` for anything but the little-endian numeric types.
    public init?(v2Name: String) {
        guard let match = ZarrDataType.allCases.first(where: { $0.v2Name == v2Name }) else { return nil }
        self = match
    }

    /// The smallest and largest representable values, for integer types.
    public var integerRange: ClosedRange<Double>? {
        switch self {
        case .int8: return Double(Int8.min)...Double(Int8.max)
        case .int16: return Double(Int16.min)...Double(Int16.max)
        case .int32: return Double(Int32.min)...Double(Int32.max)
        case .int64: return -9.223372036854775e18...9.223372036854775e18
        case .uint8: return 0...Double(UInt8.max)
        case .uint16: return 0...Double(UInt16.max)
        case .uint32: return 0...Double(UInt32.max)
        case .uint64: return 0...1.8446744073709550e19
        case .float32, .float64: return nil
        }
    }
}
