/// A failure of a storage backend, naming the key or path involved.
public struct StorageError: Error, Sendable, CustomStringConvertible {
    /// What was being done, for example `"write"`.
    public var operation: String
    /// The key or path involved.
    public var location: String
    /// The reason, as reported by the system.
    public var reason: String

    /// Creates an error.
    public init(operation: String, location: String, reason: String) {
        self.operation = operation
        self.location = location
        self.reason = reason
    }

    /// A one-line description.
    public var description: String { "cannot \(operation) '\(location)': \(reason)" }
}
