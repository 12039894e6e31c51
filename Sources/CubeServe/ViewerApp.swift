import CubeCore
import Foundation
import Zarr

/// The xcube Viewer web app (the built app shipped in the `xcube-core` wheel, MIT licensed) as a
/// folder on this machine, which `cubegen serve` serves at `/viewer/`.
///
/// The app reads `config/config.json` relative to its own URL and takes the server from its
/// `server.url` (a `serverUrl` query parameter still overrides it); `cubegen serve` answers that
/// document itself with its own address, so the app talks to the server that served it. The
/// folder is never part of the repository: `scripts/setup-viewer.sh` fetches the wheel and
/// extracts the app into a cache folder.
public struct ViewerApp: Sendable {
    /// The folder holding the app's `index.html` and `assets/`.
    public let directory: String

    /// The environment variable naming the folder (as `--viewer` does).
    public static let environmentVariable = "CUBEGEN_VIEWER_DIR"

    /// The app in `directory`.
    /// - Throws: `CubeError` naming the folder when it holds no `index.html`.
    public init(directory: String) throws {
        var isDirectory: ObjCBool = false
        let index = (directory as NSString).appendingPathComponent("index.html")
        guard FileManager.default.fileExists(atPath: directory, isDirectory: &isDirectory), isDirectory.boolValue,
              FileManager.default.fileExists(atPath: index) else {
            throw CubeError(.invalidInput, "'\(directory)' (--viewer or \(ViewerApp.environmentVariable)) is not the xcube Viewer app: no index.html in it; scripts/setup-viewer.sh installs it",
                            context: ["file": directory])
        }
        self.directory = URL(fileURLWithPath: directory).standardizedFileURL.path
    }

    /// Where `scripts/setup-viewer.sh` puts the app by default: `$CUBEGEN_VIEWER_DIR`, else
    /// `$XDG_CACHE_HOME/cubegen/xcube-viewer`, else `~/.cache/cubegen/xcube-viewer`.
    public static func defaultDirectory(environment: [String: String]? = nil) -> String {
        let environment = environment ?? ProcessInfo.processInfo.environment
        if let explicit = environment[environmentVariable], !explicit.isEmpty { return explicit }
        let cache = environment["XDG_CACHE_HOME"].flatMap { $0.isEmpty ? nil : $0 }
            ?? (environment["HOME"] ?? NSHomeDirectory()) + "/.cache"
        return cache + "/cubegen/xcube-viewer"
    }

    /// The app at `explicit` (`--viewer`), else at `$CUBEGEN_VIEWER_DIR`, else in the cache folder
    /// when it is installed there, else `nil` (the server then runs without it).
    /// - Throws: `CubeError` when a folder named by `explicit` or the environment holds no app.
    public static func locate(explicit: String?, environment: [String: String]? = nil) throws -> ViewerApp? {
        let environment = environment ?? ProcessInfo.processInfo.environment
        if let explicit { return try ViewerApp(directory: explicit) }
        if let named = environment[environmentVariable], !named.isEmpty { return try ViewerApp(directory: named) }
        return try? ViewerApp(directory: defaultDirectory(environment: environment))
    }

    /// The version of `xcube-core` the app came from, as the setup script recorded it.
    public var version: String? {
        FileManager.default.contents(atPath: directory + "/.xcube-core-version").map {
            String(decoding: $0, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
        }
    }

    /// The app's `config/config.json` for a server reached at `serverURL`: the server entry the
    /// app connects to, a window title, and no user variables or 3-D volumes (the server has no
    /// expression or volume endpoints); branding otherwise the app's defaults.
    static func configuration(serverURL: String) -> JSONValue {
        .object([
            ("name", .string("cubegen")),
            ("server", .object([("id", .string("cubegen")), ("name", .string("cubegen serve")), ("url", .string(serverURL))])),
            ("branding", .object([("appBarTitle", .string("xcube Viewer · cubegen serve")), ("windowTitle", .string("xcube Viewer · cubegen serve")),
                                  ("allowUserVariables", .bool(false)), ("allow3D", .bool(false))])),
        ])
    }
}
