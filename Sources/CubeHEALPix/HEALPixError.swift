/// Why a HEALPix grid cannot be made.
public enum HEALPixError: Error, Equatable, Sendable, CustomStringConvertible {
    /// `Nside` outside `1…2^29`, or not a power of two where the ordering needs one (nested).
    case invalidNside(Int, HEALPixOrdering)

    /// One line naming the bad value and the rule.
    public var description: String {
        switch self {
        case let .invalidNside(nside, ordering):
            return ordering == .nested
                ? "HEALPix Nside \(nside) is not a power of two in 1…2^29 (nested ordering needs one)"
                : "HEALPix Nside \(nside) is outside 1…2^29"
        }
    }
}
