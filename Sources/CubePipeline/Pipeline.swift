public import CubeCore
public import CubeRecipe
public import CubeStorage
import CubeStoreNetCDF
import Foundation

/// The CubeGen pipeline: recipe → validated `Recipe` → `CubePlan` → written cube.
///
/// ```swift
/// let pipeline = Pipeline()
/// let recipe = try pipeline.load(recipeAt: "recipes/demo.yaml")
/// let plan = try await pipeline.plan(recipe)
/// let report = try await pipeline.run(plan, options: RunOptions(workers: 4))
/// print(report.summary)
/// ```
/// Each stage is a function of the previous stage's value, so callers can stop after any of them.
public struct Pipeline: Sendable {
    /// The data stores, storage backends and codecs used.
    public var registries: Registries
    /// Where remote inputs (`s3://`, `https://` paths) are fetched to, since data stores read local files.
    public var inputCache: InputCache

    /// Creates a pipeline with the given registries (default: everything built in) and input cache
    /// (default: `InputCache.defaultDirectory()`, `InputCache.defaultBudget`).
    public init(registries: Registries = .standard, inputCache: InputCache = InputCache()) {
        self.registries = registries
        self.inputCache = inputCache
    }

    /// Parses a recipe file.
    /// - Throws: `CubeError` (`.invalidRecipe`) with the first problem as `file:line:column: error: key: message`.
    public func load(recipeAt path: String) throws -> Recipe { try RecipeParser.loadValid(path: path) }

    /// Plans the cube: resolves stores, describes every input (metadata only), fixes the grid,
    /// time axis, variables and chunks.
    /// - Throws: `CubeError` naming the recipe key, file or variable at fault.
    public func plan(_ recipe: Recipe) async throws -> CubePlan { try await Planner.plan(recipe, registries: registries, inputCache: inputCache) }

    /// Checks a recipe as far as planning, collecting every problem instead of stopping at the first.
    /// - Returns: Diagnostics (errors and warnings); no error means the recipe can run.
    public func validate(recipeAt path: String) async -> [Diagnostic] {
        let parsed: (recipe: Recipe?, diagnostics: [Diagnostic])
        do {
            parsed = try RecipeParser.load(path: path)
        } catch {
            return [Diagnostic(.error, key: "", "\(error)", at: nil)]
        }
        guard let recipe = parsed.recipe else { return parsed.diagnostics }
        do {
            let plan = try await self.plan(recipe)
            return plan.warnings
        } catch let error as CubeError {
            return recipe.warnings + [Diagnostic(error: error)]
        } catch {
            return recipe.warnings + [Diagnostic(.error, key: "", "\(error)", at: nil)]
        }
    }

    /// Builds the cube of `plan`.
    /// - Parameters:
    ///   - options: Workers, overwrite, cache size.
    ///   - progress: Called after every finished chunk task (from any thread).
    /// - Throws: `CubeError`; nothing is published unless every chunk and the metadata were written.
    public func run(_ plan: CubePlan, options: RunOptions = RunOptions(),
                    progress: (@Sendable (ProgressEvent) -> Void)? = nil) async throws -> RunReport {
        try await execute(plan, options: options, finalizeOnly: false, progress: progress)
    }

    /// Finalizes a cube whose tasks were computed by shards (`cubegen run --shard i/N`): checks
    /// that every task is recorded (naming what is missing), then writes coordinates, metadata,
    /// lineage, quick-looks and the STAC entry. Computes nothing.
    /// - Throws: `CubeError` (`.invalidInput`) when tasks are missing.
    public func finalize(_ plan: CubePlan, options: RunOptions = RunOptions()) async throws -> RunReport {
        try await execute(plan, options: options, finalizeOnly: true, progress: nil)
    }

    /// Where `plan`'s cube stands: published or not, the tasks recorded and missing, up to date or
    /// not, and whether a run holds it now (`cubegen status`). Writes nothing.
    /// - Throws: `CubeError` when the output cannot be reached.
    public func status(_ plan: CubePlan) async throws -> RunStatus {
        let executor = CubeExecutor(plan: plan, registries: registries, workers: 1, overwrite: false, cacheBudget: 0, ioConcurrency: 1,
                                    shard: .all, force: false, finalizeOnly: false, progress: nil)
        do {
            return try await executor.status()
        } catch let error as StorageError {
            throw CubeError(.storage, "\(error)", context: ["location": error.location], underlying: error)
        }
    }

    private func execute(_ plan: CubePlan, options: RunOptions, finalizeOnly: Bool,
                         progress: (@Sendable (ProgressEvent) -> Void)?) async throws -> RunReport {
        let workers = max(1, options.workers ?? ProcessInfo.processInfo.activeProcessorCount)
        let executor = CubeExecutor(plan: plan, registries: registries, workers: workers,
                                    overwrite: options.overwrite || plan.recipe.output.overwrite,
                                    cacheBudget: options.cacheBudget ?? plan.defaultCacheBudget(),
                                    ioConcurrency: options.ioConcurrency ?? (plan.recipe.output.path.contains("://") ? 16 : 4),
                                    shard: options.shard, force: options.force, finalizeOnly: finalizeOnly,
                                    progress: progress)
        do {
            return try await executor.run()
        } catch let error as StorageError {
            throw CubeError(.storage, "\(error)", context: ["location": error.location], underlying: error)
        }
    }

    /// Describes an input with a registered store, as the planner sees it: a local file, or for a
    /// store that reads in place (Zarr) a local directory or an `s3://`/`https://` dataset URL,
    /// opened with `options`.
    /// - Throws: `CubeError` when the store is unknown or the input cannot be read.
    public func describe(path: String, store: String = "netcdf", options: StorageOptions = StorageOptions()) async throws -> DatasetDescriptor {
        guard let dataStore = registries.stores.store(store) else {
            throw CubeError(.invalidInput, "unknown data store '\(store)' (registered: \(registries.stores.stores.keys.sorted().joined(separator: ", ")))")
        }
        if dataStore is any StorageDataStore, RemotePaths.isRemote(path) {
            var inputs = SourceInputs()
            for dataset in try DatasetPaths.expand(path, options: options, registry: registries.storage) {
                inputs.datasets[dataset.location] = dataset.storage
            }
            return try await inputs.describe(path, with: dataStore)
        }
        return try await dataStore.describe(path: path)
    }

    /// The largest default source-plane cache: 1/8 of physical memory, at most 2 GiB (a plan uses
    /// less when its time blocks need less, see `CubePlan.defaultCacheBudget`).
    public static var defaultCacheBudget: Int {
        min(2 << 30, Int(ProcessInfo.processInfo.physicalMemory / 8))
    }

    /// The versions of the C libraries CubeGen uses, for reports.
    public static var libraryVersions: [String: String] { ["netcdf": NetCDFStore.libraryVersion] }
}
