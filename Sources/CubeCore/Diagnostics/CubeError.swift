/// An error thrown by CubeGen: a broad code to branch on, a message that says how to fix it, and
/// where it happened.
public struct CubeError: Error, Sendable, CustomStringConvertible {
    /// A broad classification of errors.
    public struct Code: Hashable, Sendable, CustomStringConvertible {
        private let name: String
        private init(_ name: String) { self.name = name }

        /// The recipe is malformed or inconsistent.
        public static let invalidRecipe = Code("invalid recipe")
        /// An input file is missing or does not match the recipe.
        public static let invalidInput = Code("invalid input")
        /// Something asked for is not implemented yet.
        public static let unsupported = Code("unsupported")
        /// Reading or writing failed.
        public static let io = Code("I/O error")
        /// An object store or web server refused or could not be reached (denied, missing bucket,
        /// unreachable endpoint, throttled past the retry limit).
        public static let storage = Code("storage error")
        /// The output exists and may not be replaced.
        public static let outputExists = Code("output exists")
        /// A coordinate reference system or transformation failed.
        public static let projection = Code("projection error")
        /// The work was cancelled.
        public static let cancelled = Code("cancelled")
        /// An internal invariant broke; a bug.
        public static let internalInconsistency = Code("internal error")

        /// The code's name.
        public var description: String { name }
    }

    /// The classification.
    public var code: Code
    /// What went wrong and, where possible, how to fix it.
    public var message: String
    /// Where, for example `["file": "a.nc", "variable": "t2m"]`.
    public var context: [String: String]
    /// The error this one wraps, if any.
    public var underlying: (any Error)?

    /// Creates an error.
    public init(_ code: Code, _ message: String, context: [String: String] = [:], underlying: (any Error)? = nil) {
        self.code = code
        self.message = message
        self.context = context
        self.underlying = underlying
    }

    /// The message, one line.
    public var description: String { message }

    /// A multi-line description walking the cause chain.
    public var detailedDescription: String {
        var lines = ["\(code): \(message)"]
        for key in context.keys.sorted() { lines.append("├─ \(key): \(context[key] ?? "")") }
        if let underlying { lines.append("└─ cause: \(underlying)") }
        return lines.joined(separator: "\n")
    }
}
