public import Zarr

/// The lineage of one data variable: where its values came from and each step applied, in order.
public struct VariableLineage: Sendable, Hashable {
    /// The variable's name in the cube.
    public var name: String
    /// The source it was read from.
    public var source: SourceRecord
    /// The transformations, in the order they were applied.
    public var steps: [LineageStep]
    /// Chunk indices not stored because every value in them is fill (readers see the fill value).
    public var emptyChunks: [[Int]]

    /// Creates a record.
    public init(name: String, source: SourceRecord, steps: [LineageStep], emptyChunks: [[Int]] = []) {
        self.name = name
        self.source = source
        self.steps = steps
        self.emptyChunks = emptyChunks
    }

    /// The step of kind `kind`, if any.
    public func step(_ kind: LineageStep.Kind) -> LineageStep? { steps.first { $0.kind == kind } }

    var json: JSONValue {
        .object([("name", .string(name)), ("source", source.json), ("steps", .array(steps.map(\.json))),
                 ("empty_chunks", .array(emptyChunks.map { .array($0.map { .int(Int64($0)) }) }))])
    }

    init(json: JSONValue) throws {
        let reader = LineageJSONReader(json, path: "variables[]")
        name = try reader.string("name")
        source = try SourceRecord(json: try reader.member("source"))
        steps = try reader.array("steps").map(LineageStep.init(json:))
        emptyChunks = try reader.array("empty_chunks").map { indices in
            guard let values = indices.arrayValue?.compactMap(\.intValue) else { throw LineageError("empty_chunks holds a non-array") }
            return values
        }
    }
}

/// One transformation applied to a variable, its parameters, and what it does to accuracy.
public struct LineageStep: Sendable, Hashable {
    /// The kinds of step, in the order the pipeline applies them.
    public enum Kind: String, Sendable, Hashable, CaseIterable {
        /// Reading and CF-decoding the source values (masking fill, unpacking).
        case decode
        /// Mapping target pixel positions into the source CRS.
        case reproject
        /// Spatial resampling onto the target grid.
        case resample
        /// Placing source steps of another calendar into output periods.
        case calendar
        /// Aggregating source steps into output periods.
        case aggregateTime = "aggregate_time"
        /// Filling periods without source steps from neighbouring steps.
        case upsampleTime = "upsample_time"
        /// Casting to the stored data type, with packing.
        case cast
    }

    /// What the step is.
    public var kind: Kind
    /// Its parameters, in a fixed order (numbers, strings, booleans).
    public var parameters: [(String, JSONValue)]
    /// Its effect on numerical accuracy, in plain terms, with numbers where they exist.
    public var effect: String

    /// Creates a step.
    public init(_ kind: Kind, _ parameters: [(String, JSONValue)], effect: String) {
        self.kind = kind
        self.parameters = parameters
        self.effect = effect
    }

    /// The parameter named `name`, if any.
    public subscript(name: String) -> JSONValue? { parameters.first { $0.0 == name }?.1 }

    /// Compares kind, parameters and effect.
    public static func == (a: LineageStep, b: LineageStep) -> Bool {
        a.kind == b.kind && a.effect == b.effect && JSONValue.object(a.parameters) == JSONValue.object(b.parameters)
    }

    /// Hashes kind and effect.
    public func hash(into hasher: inout Hasher) {
        hasher.combine(kind)
        hasher.combine(effect)
    }

    var json: JSONValue {
        .object([("step", .string(kind.rawValue)), ("parameters", .object(parameters)), ("accuracy", .string(effect))])
    }

    init(json: JSONValue) throws {
        let reader = LineageJSONReader(json, path: "steps[]")
        let name = try reader.string("step")
        guard let kind = Kind(rawValue: name) else { throw LineageError("unknown step '\(name)'") }
        self.kind = kind
        parameters = try reader.object("parameters")
        effect = try reader.string("accuracy")
    }
}
