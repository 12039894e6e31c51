/// One finding of `CubeVerifier`.
public struct VerificationProblem: Sendable, Hashable, CustomStringConvertible {
    /// How bad it is.
    public enum Severity: String, Sendable, Hashable {
        /// The cube is not valid.
        case error
        /// Worth knowing; the cube is still valid.
        case warning
    }

    /// What set of rules it breaks.
    public enum Rule: String, Sendable, Hashable {
        /// The xcube dataset convention (what `xcube verify` checks).
        case xcube
        /// CF conventions essentials (and NetCDF exportability).
        case cf
        /// Zarr completeness: consolidated metadata and chunks.
        case zarr
        /// Agreement of `lineage.json` and the STAC entry with the cube.
        case catalogue
    }

    /// How bad it is.
    public var severity: Severity
    /// The rule set.
    public var rule: Rule
    /// What is wrong, naming the variable, attribute, key or file.
    public var message: String

    /// Creates a problem.
    public init(_ severity: Severity, _ rule: Rule, _ message: String) {
        self.severity = severity
        self.rule = rule
        self.message = message
    }

    /// `error [xcube]: …`.
    public var description: String { "\(severity.rawValue) [\(rule.rawValue)]: \(message)" }
}

/// What `CubeVerifier` found.
public struct VerificationReport: Sendable {
    /// Every finding, in the order checked.
    public var problems: [VerificationProblem]
    /// The STAC Collection compared with the cube, if one was found.
    public var catalogPath: String?

    /// Whether no finding is an error.
    public var isValid: Bool { !problems.contains { $0.severity == .error } }

    /// The errors.
    public var errors: [VerificationProblem] { problems.filter { $0.severity == .error } }
}
