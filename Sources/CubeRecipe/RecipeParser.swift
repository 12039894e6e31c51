import CubeCore
public import Foundation
import Yams

/// Reads recipe files (DESIGN.md §6) into `Recipe` values, with a diagnostic for every problem.
///
/// YAML and JSON are both accepted (JSON is YAML). Unknown keys are errors with a suggestion;
/// every diagnostic names the file, line, column and key.
public enum RecipeParser {
    /// The accepted method names and choices, shared with the JSON Schema.
    public enum Vocabulary {
        /// Spatial resampling names.
        public static let resampling = ["nearest", "bilinear", "cubic", "cubic_spline", "lanczos", "average", "rms",
                                        "mode", "min", "max", "med", "q1", "q3", "sum", "conservative"]
        /// Temporal aggregation names.
        public static let aggregation = ["mean", "min", "max", "sum", "count", "median", "std", "first", "last"]
        /// Pyramid aggregation names (`pyramid_method`), as xcube names them in `.zlevels`.
        public static let pyramidMethods = ["mean", "first", "min", "max", "mode"]
        /// Output data types.
        public static let dataTypes = DataType.allCases.map(\.rawValue)
        /// Compressor identifiers.
        public static let compressors = ["blosc", "zstd", "zlib", "gzip", "none"]
        /// Blosc internal compressors.
        public static let bloscNames = ["blosclz", "lz4", "lz4hc", "snappy", "zlib", "zstd"]
        /// Blosc shuffle spellings and their numcodecs values.
        public static let shuffles: [String: Int] = ["none": 0, "noshuffle": 0, "shuffle": 1, "byte": 1, "bitshuffle": 2, "bit": 2]
    }

    /// Reads and parses the recipe at `path`.
    /// - Returns: The recipe, or `nil` and at least one error diagnostic.
    /// - Throws: `CubeError` (`.invalidRecipe`) when the file cannot be read.
    public static func load(path: String) throws -> (recipe: Recipe?, diagnostics: [Diagnostic]) {
        let url = URL(fileURLWithPath: path)
        guard let data = FileManager.default.contents(atPath: url.path) else {
            throw CubeError(.invalidRecipe, "cannot read recipe file '\(path)'", context: ["file": path])
        }
        guard let text = String(data: data, encoding: .utf8) else {
            throw CubeError(.invalidRecipe, "recipe file '\(path)' is not UTF-8 text", context: ["file": path])
        }
        return parse(text, fileURL: url, displayName: path)
    }

    /// Loads a recipe and throws on any error: the one-call entry point for running.
    /// - Throws: `CubeError` (`.invalidRecipe`) whose message is the first error, with a count of the rest.
    public static func loadValid(path: String) throws -> Recipe {
        let (recipe, diagnostics) = try load(path: path)
        let errors = diagnostics.filter { $0.severity == .error }
        if let first = errors.first {
            let more = errors.count > 1 ? " (and \(errors.count - 1) more; see `cubegen validate`)" : ""
            throw CubeError(.invalidRecipe, first.description + more, context: ["key": first.key])
        }
        guard let recipe else { throw CubeError(.internalInconsistency, "recipe parsing returned nothing") }
        return recipe
    }

    /// Parses recipe text.
    /// - Parameters:
    ///   - text: YAML or JSON.
    ///   - fileURL: The recipe's location; relative paths resolve against its folder.
    ///   - displayName: The file name used in diagnostics (default: the URL's path).
    public static func parse(_ text: String, fileURL: URL, displayName: String? = nil) -> (recipe: Recipe?, diagnostics: [Diagnostic]) {
        var reader = YAMLReader(file: displayName ?? fileURL.path)
        let root: Node?
        do {
            root = try Yams.compose(yaml: text)
        } catch {
            let message = "\(error)".replacingOccurrences(of: "\n", with: " ")
            return (nil, [Diagnostic(.error, key: "", "not valid YAML: \(message)", at: RecipeLocation(file: reader.file, line: 1, column: 1))])
        }
        guard let root else {
            return (nil, [Diagnostic(.error, key: "", "the recipe is empty", at: RecipeLocation(file: reader.file, line: 1, column: 1))])
        }
        let directory = fileURL.deletingLastPathComponent()
        var builder = RecipeBuilder(reader: reader, directory: directory)
        let recipe = builder.build(root)
        reader = builder.reader
        let diagnostics = reader.diagnostics
        guard let recipe, !diagnostics.contains(where: { $0.severity == .error }) else { return (nil, diagnostics) }
        return (Recipe(version: recipe.version, cube: recipe.cube, grid: recipe.grid, time: recipe.time, sources: recipe.sources,
                       output: recipe.output, catalog: recipe.catalog, fileURL: fileURL, text: text,
                       locations: reader.locations, warnings: diagnostics.filter { $0.severity == .warning }, ml: recipe.ml),
                diagnostics)
    }
}

/// The sections of a recipe before assembly.
struct RecipeParts {
    var version: Int
    var cube: CubeSection
    var grid: GridSection
    var time: TimeSection
    var sources: [SourceSection]
    var output: OutputSection
    var catalog: CatalogSection
    var ml: SamplingSection?
}
