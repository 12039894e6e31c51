/// The name of a value in a key–value store: a `/`-separated path without a leading slash.
///
/// Zarr stores address every metadata document and chunk by such a key (`"tas/.zarray"`,
/// `"tas/0.1.0"`). A key never starts or ends with `/` and has no empty, `.` or `..` segments.
public struct StoreKey: Hashable, Sendable, Comparable, CustomStringConvertible, ExpressibleByStringLiteral {
    /// The key as text, for example `"tas/0.0.0"`.
    public let rawValue: String

    /// Creates a key, trapping if `rawValue` is not a valid key (a programmer error).
    /// - Parameter rawValue: A `/`-separated path without leading or trailing `/`.
    public init(_ rawValue: String) {
        precondition(StoreKey.isValid(rawValue), "invalid store key '\(rawValue)'")
        self.rawValue = rawValue
    }

    /// Creates a key from a string literal.
    public init(stringLiteral value: String) { self.init(value) }

    /// Returns whether `text` is a valid key.
    public static func isValid(_ text: String) -> Bool {
        guard !text.isEmpty, !text.hasPrefix("/"), !text.hasSuffix("/") else { return false }
        return text.split(separator: "/", omittingEmptySubsequences: false).allSatisfy {
            !$0.isEmpty && $0 != "." && $0 != ".."
        }
    }

    /// Returns the key formed by appending `component` to this key with a `/`.
    public func appending(_ component: String) -> StoreKey { StoreKey(rawValue + "/" + component) }

    /// The key as text.
    public var description: String { rawValue }

    /// Orders keys by their text.
    public static func < (lhs: StoreKey, rhs: StoreKey) -> Bool { lhs.rawValue < rhs.rawValue }
}
