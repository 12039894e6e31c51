import ArgumentParser
import CubeGen
import CubeServe
import Foundation

extension CubeCommand {
    /// `cubegen serve CUBE…`.
    struct Serve: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Serve cubes (and their pyramids) to the xcube Viewer: datasets, map tiles, time series, statistics, colour bars.",
            discussion: "Implements the xcube Server endpoints the xcube Viewer calls, read-only, on the cubes given (local Zarr folders; a NAME.levels pyramid beside NAME.zarr is used for tiles). Binds to 127.0.0.1 unless --host says otherwise; logs one line per request on standard error; stops on SIGINT or SIGTERM.")

        @Argument(help: "The cubes (local Zarr v2 or v3 folders written by cubegen run).")
        var cubes: [String]

        @Option(help: "The port (0: any free port; the one bound is printed).")
        var port: Int = 8080

        @Option(help: "The address to bind; 0.0.0.0 exposes the server to the network.")
        var host: String = "127.0.0.1"

        @Option(name: .customLong("tile-cache-mb"), help: "Rendered tiles kept in memory, in MB.")
        var tileCacheMB: Int = 64

        @Flag(name: .shortAndLong, help: "Print detailed errors.")
        var verbose = false

        func run() async throws {
            try await ExitCodes.guarding(verbose: verbose) {
                var opened: [ServedCube] = []
                for path in cubes { opened.append(try await ServedCube.open(path: path)) }
                let server = try CubeServer(cubes: opened, host: host, port: port, tileCacheBytes: tileCacheMB << 20,
                                            version: CubeGenVersion.current)
                let host = self.host, names = opened.map(\.id).joined(separator: ", ")
                try await server.run { port in
                    FileHandle.standardOutput.write(Data("serving \(names) on http://\(host):\(port)/ (Ctrl-C stops)\n".utf8))
                }
                print("stopped")
            }
        }
    }
}
