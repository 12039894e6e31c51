public import CubeCore

/// A place in a recipe file: file, 1-based line and column.
public struct RecipeLocation: Hashable, Sendable, CustomStringConvertible {
    /// The recipe file's path as given.
    public var file: String
    /// The line, from 1.
    public var line: Int
    /// The column, from 1.
    public var column: Int

    /// Creates a location.
    public init(file: String, line: Int, column: Int) {
        self.file = file
        self.line = line
        self.column = column
    }

    /// `file:line:column`.
    public var description: String { "\(file):\(line):\(column)" }
}

/// A problem found in a recipe, with where it is and which key it concerns.
public struct Diagnostic: Hashable, Sendable, CustomStringConvertible {
    /// How bad it is.
    public enum Severity: String, Sendable, Hashable {
        /// The recipe cannot run.
        case error
        /// The recipe runs, but a setting has no effect or is doubtful.
        case warning
    }

    /// How bad it is.
    public var severity: Severity
    /// The dotted key path, for example `sources[0].variables.t2m.resampling`.
    public var key: String
    /// What is wrong and what was expected.
    public var message: String
    /// Where, when known.
    public var location: RecipeLocation?

    /// Creates a diagnostic.
    public init(_ severity: Severity, key: String, _ message: String, at location: RecipeLocation?) {
        self.severity = severity
        self.key = key
        self.message = message
        self.location = location
    }

    /// Rebuilds the diagnostic of an error made by `Recipe.error(_:_:)`; other errors become a
    /// diagnostic without key or location.
    public init(error: CubeError) {
        let c = error.context
        if let reason = c["reason"] {
            let location = c["file"].flatMap { file in
                Int(c["line"] ?? "").flatMap { line in Int(c["column"] ?? "").map { RecipeLocation(file: file, line: line, column: $0) } }
            }
            self.init(.error, key: c["key"] ?? "", reason, at: location)
        } else {
            self.init(.error, key: "", error.message, at: nil)
        }
    }

    /// `recipe.yaml:12:5: error: grid.bbox: expected 4 numbers`.
    public var description: String {
        let place = location.map { "\($0): " } ?? ""
        let keyText = key.isEmpty ? "" : "\(key): "
        return "\(place)\(severity.rawValue): \(keyText)\(message)"
    }
}
