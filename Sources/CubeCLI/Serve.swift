import ArgumentParser
import CubeGen
import CubeServe
import Foundation

extension CubeCommand {
    /// `cubegen serve CUBE…`.
    struct Serve: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Serve cubes (and their pyramids) to the xcube Viewer: datasets, map tiles, time series, statistics, colour bars.",
            discussion: "Implements the xcube Server endpoints the xcube Viewer calls, read-only, on the cubes given (local Zarr folders or s3:// prefixes; a finished NAME.levels pyramid beside NAME.zarr is used for tiles, a finished NAME.ts.zarr for time series). Serves the xcube Viewer app at /viewer/ when it is installed (scripts/setup-viewer.sh, or --viewer DIR). Binds to 127.0.0.1 unless --host says otherwise; logs one line per request on standard error; stops on SIGINT or SIGTERM.")

        @Argument(help: "The cubes (Zarr v2 or v3 written by cubegen run): local folders, or s3:// URLs.")
        var cubes: [String]

        @Option(name: .customLong("endpoint-url"), help: "An S3-compatible service for s3:// cubes (default: AWS_ENDPOINT_URL_S3, AWS_ENDPOINT_URL, then AWS).")
        var endpointURL: String?

        @Flag(help: "Read s3:// cubes without credentials (a public bucket).")
        var anon = false

        @Option(help: "The xcube Viewer app folder to serve at /viewer/ (default: $CUBEGEN_VIEWER_DIR, else ~/.cache/cubegen/xcube-viewer when scripts/setup-viewer.sh installed it there).")
        var viewer: String?

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
                let registry = Pipeline().registries.storage
                let options = StorageOptions(endpointURL: endpointURL, anonymous: anon)
                let app = try ViewerApp.locate(explicit: viewer)
                var opened: [ServedCube] = []
                for location in cubes { opened.append(try await ServedCube.open(location: location, registry: registry, options: options)) }
                let server = try CubeServer(cubes: opened, host: host, port: port, tileCacheBytes: tileCacheMB << 20,
                                            version: CubeGenVersion.current, viewer: app)
                let host = self.host, names = opened.map(\.id).joined(separator: ", ")
                try await server.run { port in
                    let viewerLine = app.map { "xcube Viewer at http://\(host):\(port)/viewer/ (from \($0.directory))" }
                        ?? "no xcube Viewer app (scripts/setup-viewer.sh installs it)"
                    FileHandle.standardOutput.write(Data("serving \(names) on http://\(host):\(port)/ (Ctrl-C stops)\n\(viewerLine)\n".utf8))
                }
                print("stopped")
            }
        }
    }
}
