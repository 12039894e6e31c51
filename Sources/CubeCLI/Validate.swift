import ArgumentParser
import CubeGen

extension CubeCommand {
    /// `cubegen validate RECIPE`.
    struct Validate: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Check a recipe and its inputs (metadata only); print every problem as file:line:column.")

        @OptionGroup var options: RecipeOptions

        @OptionGroup var inputs: InputCacheOptions

        func run() async throws {
            let cache: InputCache
            do {
                cache = try inputs.cache()
            } catch {
                Terminal.error("error: \(error)")
                throw ExitCode(ExitCodes.invalidInput)
            }
            let diagnostics = await Pipeline(inputCache: cache).validate(recipeAt: options.recipe)
            for diagnostic in diagnostics { Terminal.error(diagnostic.description) }
            let errors = diagnostics.filter { $0.severity == .error }.count
            if errors > 0 {
                Terminal.error("\(options.recipe): \(errors) error(s)")
                throw ExitCode(ExitCodes.invalidRecipe)
            }
            print("\(options.recipe): valid")
        }
    }
}
