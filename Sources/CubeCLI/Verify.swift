import ArgumentParser
import CubeGen

extension CubeCommand {
    /// `cubegen verify CUBE`.
    struct Verify: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Check a cube: xcube dataset convention, CF essentials, Zarr completeness, and its lineage and STAC entry.",
            discussion: "Prints each problem as 'error [rule]: message' or 'warning [rule]: message'. Exits 0 when no error was found, 3 otherwise.")

        @Argument(help: "The cube (a Zarr v2 or v3 store): a path, or an s3:// or https:// URL.")
        var cube: String

        @Option(name: .customLong("endpoint-url"), help: "An S3-compatible service for s3:// cubes (default: AWS_ENDPOINT_URL_S3, AWS_ENDPOINT_URL, then AWS).")
        var endpointURL: String?

        @Flag(help: "Read an s3:// cube without credentials (a public bucket).")
        var anon = false

        @Option(help: "The STAC Collection to compare with the cube (default: NAME.stac.json beside NAME.zarr, when it exists).")
        var stac: String?

        @Flag(help: "Also decode every chunk, check its size and compare its SHA-256 with chunks.sha256 (reads all the data).")
        var decode = false

        @Flag(name: .shortAndLong, help: "Print detailed errors.")
        var verbose = false

        func run() async throws {
            try await ExitCodes.guarding(verbose: verbose) {
                let report = try await CubeVerifier(cubePath: cube, catalogPath: stac, decodeChunks: decode,
                                                   storage: Pipeline().registries.storage,
                                                   options: StorageOptions(endpointURL: endpointURL, anonymous: anon)).verify()
                for problem in report.problems { print(problem) }
                let errors = report.errors.count, warnings = report.problems.count - errors
                let catalog = report.catalogPath.map { " and \($0)" } ?? ""
                print("\(cube)\(catalog): \(report.isValid ? "valid" : "INVALID") (\(errors) error(s), \(warnings) warning(s))")
                if !report.isValid { throw ExitCode(ExitCodes.invalidInput) }
            }
        }
    }
}
