/// When a `put` may write.
public enum WriteCondition: Hashable, Sendable {
    /// Always: the new value replaces any previous one.
    case always
    /// Only when the key has no value yet; otherwise the put fails with `StorageError.Code.conditionFailed`
    /// and the stored value is unchanged. Used for commit markers and leases.
    case ifAbsent
}
