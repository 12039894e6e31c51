import ArgumentParser
import CubeGen

extension CubeCommand {
    /// `cubegen inspect INPUT…`.
    struct Inspect: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Print what a data store sees in inputs: format, grid, CRS, levels or overviews, time axis, raster layout, variables or bands with their chunking, codecs and decoding.")

        @Argument(help: "Input files, or for --store zarr dataset directories or s3:// / https:// dataset URLs.")
        var files: [String]

        @Option(help: "The data store to read them with (netcdf, grib, zarr, geotiff); default: by each file's extension (.grib/.grib2/.grb/.grb2 grib, .tif/.tiff geotiff, .zarr zarr), else netcdf.")
        var store: String?

        @Option(help: "The S3 endpoint for s3:// inputs (as storage_options.endpoint_url in recipes).")
        var endpointURL: String?

        @Flag(name: .shortAndLong, help: "Print detailed errors.")
        var verbose = false

        /// The messages of a GRIB file grouped by parameter, level and grid, for `inspect`.
        static func gribMessages(_ messages: [GRIBMessage]) -> String {
            var groups: [String: Int] = [:]
            for m in messages {
                let grid = m.cellGrid.map(\.summary) ?? "\(m.gridType) \(m.ni) × \(m.nj)"
                let destine = m.destine.map { ", DestinE " + $0.keys.map { "\($0.key)=\($0.value)" }.joined(separator: " ") } ?? ""
                groups["\(m.shortName) (\(m.name), \(m.units)) on \(m.typeOfLevel) \(m.level), member \(m.number), \(grid)\(destine)", default: 0] += 1
            }
            return "  GRIB messages: \(messages.count)\n" + groups.sorted { $0.key < $1.key }.map { "    \($0.value) × \($0.key)" }.joined(separator: "\n")
        }

        /// The store for `file` when `--store` is not given: by its extension, netcdf otherwise.
        static func store(guessedFrom file: String) -> String {
            var name = file.lowercased()
            while name.hasSuffix("/") { name.removeLast() }
            let ext = name.split(separator: ".").last.map(String.init) ?? ""
            switch ext {
            case "grib", "grib1", "grib2", "grb", "grb2": return "grib"
            case "tif", "tiff": return "geotiff"
            case "zarr": return "zarr"
            default: return "netcdf"
            }
        }

        func validate() throws {
            if files.isEmpty { throw ValidationError("give at least one file") }
        }

        func run() async throws {
            try await ExitCodes.guarding(verbose: verbose) {
                let pipeline = Pipeline()
                let options = StorageOptions(endpointURL: endpointURL)
                for file in files {
                    let store = self.store ?? Inspect.store(guessedFrom: file)
                    // GRIB: the messages first, so a file whose grid is not supported yet is still described.
                    if store == GRIBStore.identifier { print("\(file):\n" + Inspect.gribMessages(try GRIBStore.messages(path: file))) }
                    print(DatasetSummary.text(try await pipeline.describe(path: file, store: store, options: options)))
                }
            }
        }
    }
}
