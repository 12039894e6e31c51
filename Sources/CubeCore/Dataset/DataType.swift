/// A numeric element type, named as in recipes and NumPy (`int16`, `float32`, …).
public enum DataType: String, Sendable, CaseIterable, Hashable, CustomStringConvertible {
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

    /// Whether this is a floating-point type.
    public var isFloatingPoint: Bool { self == .float32 || self == .float64 }

    /// The name.
    public var description: String { rawValue }
}
