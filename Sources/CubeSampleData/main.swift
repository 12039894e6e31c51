import ArgumentParser
import CubeSamples
import Foundation

/// `cubegen-sample-data`: writes the demo input, two monthly NetCDF-4 files of analytic fields.
struct SampleData: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "cubegen-sample-data",
        abstract: "Write the demo input: daily global NetCDF-4 files of analytic temperature, precipitation and NDVI.")

    @Argument(help: "The folder to write into (created if needed).")
    var folder: String

    @Option(help: "Grid resolution in degrees.")
    var resolution = 0.5

    @Option(help: "Days per file.")
    var days = 15

    func run() throws {
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        // 2020-01-01 is day 7305 since 2000-01-01.
        for (index, firstDay) in [7305, 7305 + days].enumerated() {
            let path = (folder as NSString).appendingPathComponent("demo_\(index + 1).nc")
            try DemoFields.dataset(firstDay: firstDay, days: days, resolution: resolution).write(to: path)
            print("wrote \(path)")
        }
    }
}

SampleData.main()
