import ArgumentParser
import CubeGen
import Foundation

extension CubeCommand {
    /// `cubegen plan RECIPE`.
    struct Plan: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Print the target grid, chunk count, output size and estimated peak memory without writing.")

        @OptionGroup var options: RecipeOptions

        @OptionGroup var inputs: InputCacheOptions

        @Option(help: "The worker count to estimate memory for (default: the number of cores).")
        var workers: Int?

        func run() async throws {
            try await ExitCodes.guarding(verbose: options.verbose) {
                let pipeline = Pipeline(inputCache: try inputs.cache())
                let plan = try await pipeline.plan(try pipeline.load(recipeAt: options.recipe))
                print(plan.summary(workers: workers ?? ProcessInfo.processInfo.activeProcessorCount))
            }
        }
    }
}
