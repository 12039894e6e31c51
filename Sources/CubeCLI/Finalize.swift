import ArgumentParser
import CubeGen

extension CubeCommand {
    /// `cubegen finalize RECIPE`.
    struct Finalize: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Write the metadata, lineage, quick-looks and STAC entry of a cube whose tasks shards computed.",
            discussion: "Checks that every task of the recipe's plan is recorded (naming what is missing, exit 3), then finalizes and publishes the cube. Computes nothing.")

        @OptionGroup var options: RecipeOptions

        @OptionGroup var inputs: InputCacheOptions

        func run() async throws {
            try await ExitCodes.guarding(verbose: options.verbose) {
                let pipeline = Pipeline(inputCache: try inputs.cache())
                let plan = try await pipeline.plan(try pipeline.load(recipeAt: options.recipe))
                let report = try await pipeline.finalize(plan)
                Terminal.output("finalized \(report.outputPath) from \(report.tasksSkipped) recorded tasks")
                Terminal.output("catalogue: \(report.catalogPath) (item \(report.itemPath)); lineage and quick-looks inside the cube")
            }
        }
    }
}
