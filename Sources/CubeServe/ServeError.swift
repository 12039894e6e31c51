/// A request the server refuses: an HTTP status (4xx) and a one-line message naming the bad
/// part (dataset, variable, parameter, value). Sent as xcube does: `{"error": {"message": …}}`.
public struct ServeError: Error, Sendable, CustomStringConvertible {
    /// The HTTP status code.
    public var status: Int
    /// What was wrong.
    public var message: String

    /// Creates an error.
    public init(_ status: Int, _ message: String) {
        self.status = status
        self.message = message
    }

    /// `status: message`.
    public var description: String { "\(status): \(message)" }

    static func notFound(_ message: String) -> ServeError { ServeError(404, message) }
    static func badRequest(_ message: String) -> ServeError { ServeError(400, message) }
}
