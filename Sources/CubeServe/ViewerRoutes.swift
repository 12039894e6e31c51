import Foundation
import Hummingbird
import Logging
import Zarr

/// The routes of the xcube Viewer app and of its optional server endpoints.
///
/// - `GET /viewer` redirects to `/viewer/` (keeping the query), so the app's relative asset paths
///   resolve under `/viewer/`.
/// - `GET /viewer/config/config.json` is made per request: the server URL is the one the browser
///   used (the `Host` header), so the app talks to this server whichever address reached it.
/// - Other `GET /viewer/config/…` (branding images the app looks up beside its configuration)
///   redirect to the app's own files.
/// - Files under `/viewer/` come from the app folder (Hummingbird's `FileMiddleware`: no `..`,
///   `index.html` for the folder, content types by extension).
/// - `/viewer/state` answers 501 as xcube Server without persistence does: the app then turns
///   state sharing off instead of failing; `/expressions/capabilities` answers an empty namespace
///   (no user variables: the app's configuration turns them off).
/// Without an app, `/viewer` answers 404 with a JSON error saying how to install it.
enum ViewerRoutes {
    /// Adds the middleware; call before the routes are added (Hummingbird wraps each route in the
    /// middleware present when it was added; unknown paths get all of them).
    static func addMiddleware(to router: Router<BasicRequestContext>, viewer: ViewerApp?, fallbackAuthority: String) {
        router.add(middleware: ViewerMiddleware(viewer: viewer, fallbackAuthority: fallbackAuthority))
        if let viewer {
            var logger = Logger(label: "cubegen.serve.viewer")
            logger.logLevel = .warning
            router.add(middleware: FileMiddleware<BasicRequestContext, LocalFileSystem>(viewer.directory, urlBasePath: "/viewer",
                                                                                        searchForIndexHtml: true, logger: logger))
        }
    }

    /// Adds the optional viewer endpoints.
    static func addRoutes(to router: Router<BasicRequestContext>) {
        router.get("/expressions/capabilities") { _, _ in
            let empty = ["constants", "arrayFunctions", "otherFunctions", "arrayOperators", "otherOperators"].map { ($0, JSONValue.array([])) }
            return json(.object([("namespace", .object(empty))]))
        }
        router.get("/viewer/state") { _, _ in
            AccessLogAndErrors.error(.notImplemented, "cubegen serve keeps no viewer state (sharing is off)")
        }
        router.put("/viewer/state") { _, _ in
            AccessLogAndErrors.error(.notImplemented, "cubegen serve keeps no viewer state (sharing is off)")
        }
    }
}

/// Redirects `/viewer` to `/viewer/`, answers the app's configuration and sends other
/// configuration paths to the app's files; without an app, every `/viewer` path is a 404.
struct ViewerMiddleware: RouterMiddleware {
    typealias Context = BasicRequestContext
    let viewer: ViewerApp?
    let fallbackAuthority: String

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        let path = request.uri.path
        guard request.method == .get || request.method == .head, path == "/viewer" || path.hasPrefix("/viewer/"),
              path != "/viewer/state" else {
            return try await next(request, context)
        }
        guard viewer != nil else {
            throw ServeError.notFound("the xcube Viewer app is not installed: run scripts/setup-viewer.sh, or give --viewer DIR")
        }
        let query = request.uri.query.map { "?" + $0 } ?? ""
        if path == "/viewer" { return .redirect(to: "/viewer/" + query, type: .found) }
        let configPrefix = "/viewer/config/"
        guard path.hasPrefix(configPrefix) else { return try await next(request, context) }
        let rest = String(path.dropFirst(configPrefix.count))
        if rest == "config.json" {
            let server = "http://" + (request.head.authority ?? fallbackAuthority)
            return json(ViewerApp.configuration(serverURL: server))
        }
        guard !rest.isEmpty, !rest.contains(".."), !rest.hasPrefix("/") else {
            throw ServeError.badRequest("'\(path)' is not a file of the viewer")
        }
        return .redirect(to: "/viewer/" + rest, type: .found)
    }
}
