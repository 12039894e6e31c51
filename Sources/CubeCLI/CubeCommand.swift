import ArgumentParser
import CubeGen

/// `cubegen`: build analysis-ready data cubes from recipe files.
@main
struct CubeCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "cubegen",
        abstract: "Build analysis-ready data cubes (Zarr) from declarative recipes.",
        version: CubeGenVersion.current,
        subcommands: [Run.self, Finalize.self, Status.self, Submit.self, Sample.self, Plan.self, Validate.self, Verify.self, Inspect.self, Serve.self])
}

/// Options shared by the commands that read a recipe.
struct RecipeOptions: ParsableArguments {
    @Argument(help: "The recipe file (YAML or JSON).")
    var recipe: String

    @Flag(name: .shortAndLong, help: "Print detailed errors.")
    var verbose = false
}
