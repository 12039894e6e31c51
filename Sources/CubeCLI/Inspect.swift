import ArgumentParser
import CubeGen

extension CubeCommand {
    /// `cubegen inspect FILE…`.
    struct Inspect: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Print what a data store sees in input files: grid, CRS, time axis, variables and their CF decoding.")

        @Argument(help: "Input files.")
        var files: [String]

        @Option(help: "The data store to read them with.")
        var store = "netcdf"

        @Flag(name: .shortAndLong, help: "Print detailed errors.")
        var verbose = false

        func validate() throws {
            if files.isEmpty { throw ValidationError("give at least one file") }
        }

        func run() async throws {
            try await ExitCodes.guarding(verbose: verbose) {
                let pipeline = Pipeline()
                for file in files { print(DatasetSummary.text(try await pipeline.describe(path: file, store: store))) }
            }
        }
    }
}
