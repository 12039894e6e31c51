public import Zarr

/// What was done to every variable of a cube, from its source files to the stored values, as data.
///
/// Computed by the pipeline from the plan and the run, never typed in. Written as `lineage.json`
/// in the cube (schema: `schemas/lineage.schema.json`), summarised in plain-text CF/ACDD
/// attributes, and in the STAC entry's `processing:lineage`.
public struct Lineage: Sendable, Hashable {
    /// The lineage document format version.
    public static let formatVersion = 1

    /// The cube's identifier (`cube.id`).
    public var cubeID: String
    /// When the cube was made (ISO 8601 UTC, or `SOURCE_DATE_EPOCH`).
    public var created: String
    /// The recipe that made it.
    public var recipe: RecipeRecord
    /// The software and library versions involved, in a fixed order.
    public var software: [SoftwareVersion]
    /// One record per data variable, in cube order.
    public var variables: [VariableLineage]

    /// Creates a lineage.
    public init(cubeID: String, created: String, recipe: RecipeRecord, software: [SoftwareVersion], variables: [VariableLineage]) {
        self.cubeID = cubeID
        self.created = created
        self.recipe = recipe
        self.software = software
        self.variables = variables
    }

    /// The record of the variable named `name`, or `nil`.
    public func variable(_ name: String) -> VariableLineage? { variables.first { $0.name == name } }

    /// The `lineage.json` document.
    public var json: JSONValue {
        .object([
            ("lineage_format_version", .int(Int64(Lineage.formatVersion))),
            ("cube_id", .string(cubeID)),
            ("created", .string(created)),
            ("recipe", recipe.json),
            ("software", .object(software.map { ($0.name, .string($0.version)) })),
            ("variables", .array(variables.map(\.json))),
        ])
    }

    /// Reads a `lineage.json` document.
    /// - Throws: `LineageError` naming the first missing or malformed member.
    public init(json: JSONValue) throws {
        let reader = LineageJSONReader(json, path: "")
        guard try reader.int("lineage_format_version") == Lineage.formatVersion else {
            throw LineageError("lineage_format_version is not \(Lineage.formatVersion)")
        }
        cubeID = try reader.string("cube_id")
        created = try reader.string("created")
        recipe = try RecipeRecord(json: try reader.member("recipe"))
        software = try reader.object("software").map { SoftwareVersion(name: $0.0, version: $0.1.stringValue ?? "") }
        variables = try reader.array("variables").map(VariableLineage.init(json:))
    }
}

/// The recipe a cube was made from.
public struct RecipeRecord: Sendable, Hashable {
    /// The recipe file's name as given.
    public var file: String
    /// SHA-256 of the recipe text, hex.
    public var sha256: String
    /// The recipe format version.
    public var formatVersion: Int
    /// The recipe as interpreted: every key with its effective value (defaults filled in, paths
    /// absolute), so that two recipes meaning the same thing read the same.
    public var normalized: JSONValue

    /// Creates a record.
    public init(file: String, sha256: String, formatVersion: Int, normalized: JSONValue) {
        self.file = file
        self.sha256 = sha256
        self.formatVersion = formatVersion
        self.normalized = normalized
    }

    var json: JSONValue {
        .object([("file", .string(file)), ("sha256", .string(sha256)), ("format_version", .int(Int64(formatVersion))),
                 ("normalized", normalized)])
    }

    init(json: JSONValue) throws {
        let reader = LineageJSONReader(json, path: "recipe")
        file = try reader.string("file")
        sha256 = try reader.string("sha256")
        formatVersion = try reader.int("format_version")
        normalized = try reader.member("normalized")
    }
}

/// A piece of software and its version.
public struct SoftwareVersion: Sendable, Hashable {
    /// Its name (`cubegen`, `netcdf`, `hdf5`, `proj`, `blosc`, `zstd`, `zlib`).
    public var name: String
    /// Its version text.
    public var version: String

    /// Creates an entry.
    public init(name: String, version: String) {
        self.name = name
        self.version = version
    }
}

/// A problem in a lineage document.
public struct LineageError: Error, Sendable, CustomStringConvertible {
    /// What is wrong.
    public var description: String

    /// Creates an error.
    public init(_ description: String) { self.description = description }
}
