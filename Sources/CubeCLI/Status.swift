import ArgumentParser
import CubeGen

extension CubeCommand {
    /// `cubegen status RECIPE`.
    struct Status: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Show where a recipe's cube stands: tasks recorded and missing, up to date or not, a run under way.",
            discussion: "Reads the task records of the published cube or of an unfinished run. Writes nothing. Exit 0, or 3 with --check when the cube is not up to date.")

        @OptionGroup var options: RecipeOptions

        @OptionGroup var inputs: InputCacheOptions

        @Option(help: "Also count the missing tasks of each of N shards (as `run --shard i/N` splits them).")
        var shards: Int?

        @Flag(help: "Exit 3 unless the cube is published and up to date (for CI jobs).")
        var check = false

        func run() async throws {
            try await ExitCodes.guarding(verbose: options.verbose) {
                let pipeline = Pipeline(inputCache: try inputs.cache())
                let plan = try await pipeline.plan(try pipeline.load(recipeAt: options.recipe))
                let status = try await pipeline.status(plan)
                Terminal.output(status.summary)
                if let shards, shards > 0 {
                    let missing = Set(status.missing)
                    for index in 0..<shards {
                        let shard = try ShardSelection(index: index, count: shards)
                        let share = plan.tasks.enumerated().filter { shard.contains($0.offset, of: plan.tasks.count) }.map { [$0.element.index.t, $0.element.index.y, $0.element.index.x] }
                        let left = share.filter(missing.contains).count
                        Terminal.output("shard \(shard): \(share.count - left) of \(share.count) tasks recorded")
                    }
                }
                if check && !status.upToDate { throw ExitCode(ExitCodes.invalidInput) }
            }
        }
    }
}
