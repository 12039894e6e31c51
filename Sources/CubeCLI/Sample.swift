import ArgumentParser
import CubeGen
import Foundation

extension CubeCommand {
    /// `cubegen sample CUBE --config ml.yaml`.
    struct Sample: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Cut training data from a cube: patches, leakage-free train/val/test splits, normalisation statistics.",
            discussion: "Writes one Zarr group, .npy files or WebDataset shards per split, manifest.json and samples.jsonl into a local folder (default: NAME.samples beside NAME.zarr). The same cube, configuration and seed give the same bytes. The configuration is the `ml:` section of the recipe format (docs/recipe-format.md).")

        @Argument(help: "The cube (Zarr v2 or v3): a path, or an s3:// or https:// URL.")
        var cube: String

        @Option(help: "The sampling configuration (YAML, the keys of a recipe's ml: section).")
        var config: String

        @Option(help: "The output folder (default: the configuration's output, else NAME.samples beside the cube).")
        var output: String?

        @Flag(help: "Replace an existing sample output.")
        var overwrite = false

        @Option(name: .customLong("endpoint-url"), help: "An S3-compatible service for s3:// cubes.")
        var endpointURL: String?

        @Flag(help: "Read an s3:// cube without credentials (a public bucket).")
        var anon = false

        @Flag(name: .shortAndLong, help: "Print detailed errors.")
        var verbose = false

        func run() async throws {
            try await ExitCodes.guarding(verbose: verbose) {
                let section = try SamplingParser.load(path: config)
                let report = try await Sample.sample(cube: cube, section: section, output: output, overwrite: overwrite,
                                                     options: StorageOptions(endpointURL: endpointURL, anonymous: anon))
                Terminal.output(report.summary)
            }
        }

        /// The configuration's output, else `NAME.samples` beside a local `NAME.zarr` (in the
        /// working folder for a remote cube).
        static func defaultOutput(cube: String, section: SamplingSection) -> String {
            if let output = section.output { return output }
            let name = cube.split(separator: "/").last.map(String.init) ?? "cube"
            let stem = name.hasSuffix(".zarr") ? String(name.dropLast(5)) : name
            let folder = cube.contains("://") ? URL(fileURLWithPath: FileManager.default.currentDirectoryPath)
                : URL(fileURLWithPath: cube).deletingLastPathComponent()
            return folder.appendingPathComponent(stem + ".samples").path
        }

        /// Whether the sample output of `cube` exists.
        static func outputExists(cube: String, section: SamplingSection) -> Bool {
            FileManager.default.fileExists(atPath: defaultOutput(cube: cube, section: section) + "/manifest.json")
        }

        /// Samples `cube` with `section` (also used by `cubegen run` for a recipe's `ml:` section).
        static func sample(cube: String, section: SamplingSection, output: String?, overwrite: Bool,
                           options: StorageOptions) async throws -> SamplingReport {
            let storage: any ReadableStorage
            if cube.contains("://") {
                storage = try Pipeline().registries.storage.open(try StorageURL(cube), options: options)
            } else {
                storage = FileSystemStorage(root: URL(fileURLWithPath: cube))
            }
            let destination = output ?? defaultOutput(cube: cube, section: section)
            return try await Sampler(section: section, generator: "cubegen \(CubeGenVersion.current)")
                .run(cube: cube, storage: storage, output: destination, overwrite: overwrite)
        }
    }
}
