import ArgumentParser
import CubeGen
import Foundation

extension CubeCommand {
    /// `cubegen run RECIPE`.
    struct Run: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Execute a recipe and write the cube.")

        @OptionGroup var options: RecipeOptions

        @OptionGroup var inputs: InputCacheOptions

        @Option(help: "Chunk tasks in flight at once (default: the number of cores).")
        var workers: Int?

        @Flag(help: "Replace an existing output (as output.overwrite: true in the recipe).")
        var overwrite = false

        @Option(help: "Megabytes the shared source-plane cache may use (default: two time blocks of source planes, at least 64, at most 2048).")
        var cacheMb: Int?

        @Option(help: "Chunk writes in flight at once, separate from --workers (default: 16 for s3:// outputs, 4 for local folders).")
        var ioConcurrency: Int?

        @Option(help: "Compute only shard i of N (i from 0; 'auto/N' takes i from SLURM_ARRAY_TASK_ID or JOB_COMPLETION_INDEX) and write no metadata; then run 'cubegen finalize'.")
        var shard: String?

        @Flag(help: "Recompute every task, ignoring what earlier runs recorded and whether the cube is up to date.")
        var force = false

        func validate() throws {
            if let workers, workers < 1 { throw ValidationError("--workers must be at least 1") }
            if let cacheMb, cacheMb < 0 { throw ValidationError("--cache-mb must not be negative") }
            if let ioConcurrency, ioConcurrency < 1 { throw ValidationError("--io-concurrency must be at least 1") }
        }

        func run() async throws {
            AllocatorTuning.apply()
            PhaseMarks.mark("start")
            try await ExitCodes.guarding(verbose: options.verbose) {
                let selection = try shard.map { try ShardSelection(parsing: $0) } ?? .all
                if selection != .all { Terminal.prefix = "[shard \(selection)] " }
                let pipeline = Pipeline(inputCache: try inputs.cache())
                let recipe = try pipeline.load(recipeAt: options.recipe)
                let plan = try await pipeline.plan(recipe)
                PhaseMarks.mark("planned")
                for warning in plan.warnings { Terminal.error(warning.description) }
                let display = ProgressDisplay(total: plan.taskCount)
                var runOptions = RunOptions(workers: workers, overwrite: overwrite, cacheBudget: cacheMb.map { $0 << 20 },
                                            ioConcurrency: ioConcurrency)
                runOptions.shard = selection
                runOptions.force = force
                let report = try await pipeline.run(plan, options: runOptions, progress: { display.update($0) })
                PhaseMarks.mark("done")
                display.finish()
                for (name, count) in report.clippedValues.sorted(by: { $0.key < $1.key }) {
                    Terminal.error("warning: \(count) values of '\(name)' were outside its dtype's range and were stored as fill")
                }
                Terminal.output(report.summary)
                if !report.catalogPath.isEmpty {
                    Terminal.output("catalogue: \(report.catalogPath) (item \(report.itemPath)); lineage and quick-looks inside the cube")
                }
                // The recipe's ml: section: training samples from the finished cube (again when the cube changed).
                if let ml = recipe.ml, selection == .all {
                    let cube = recipe.output.path
                    let sampled = Sample.outputExists(cube: cube, section: ml)
                    if !(report.upToDate && sampled) {
                        let samples = try await Sample.sample(cube: cube, section: ml, output: nil, overwrite: true,
                                                              options: StorageOptions(recipe.output.storageOptions))
                        Terminal.output(samples.summary)
                    }
                }
            }
        }
    }
}
