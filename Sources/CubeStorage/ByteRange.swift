/// The bytes of a value to read: all of it, a bounded range, or its last `n` bytes.
///
/// The three cases are the reads Zarr needs (a whole chunk, an inner chunk of a shard, a shard index
/// at the end of a shard). Offsets are in bytes from the start of the value.
public enum ByteRange: Hashable, Sendable, CustomStringConvertible {
    /// The whole value.
    case all
    /// The bytes at offsets `range`; the range must lie within the value.
    case bounded(Range<Int>)
    /// The last `n` bytes, or the whole value when it is shorter than `n` (as HTTP reads a suffix).
    case suffix(Int)

    /// The offsets this range selects in a value of `size` bytes, or `nil` when a bounded range
    /// reaches past the end (a caller's error: the value is shorter than expected).
    /// - Precondition: bounds and suffix lengths are not negative (a programmer error traps).
    public func offsets(in size: Int) -> Range<Int>? {
        switch self {
        case .all:
            return 0..<size
        case .bounded(let range):
            precondition(range.lowerBound >= 0, "byte range starts before 0: \(range)")
            return range.upperBound <= size ? range : nil
        case .suffix(let count):
            precondition(count >= 0, "negative suffix length \(count)")
            return max(0, size - count)..<size
        }
    }

    /// The value of an HTTP `Range` header for this range, or `nil` for `.all` and for reads of no
    /// bytes (which HTTP cannot express).
    public var httpHeaderValue: String? {
        switch self {
        case .all: return nil
        case .bounded(let range): return range.isEmpty ? nil : "bytes=\(range.lowerBound)-\(range.upperBound - 1)"
        case .suffix(let count): return count == 0 ? nil : "bytes=-\(count)"
        }
    }

    /// The range in the form `0..<10`, `all` or `last 10`.
    public var description: String {
        switch self {
        case .all: return "all"
        case .bounded(let range): return "\(range.lowerBound)..<\(range.upperBound)"
        case .suffix(let count): return "last \(count)"
        }
    }
}
