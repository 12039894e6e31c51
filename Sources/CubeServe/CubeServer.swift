import CubeCore
import Foundation
import Hummingbird
import Logging
import Zarr

/// `cubegen serve`: the xcube Server endpoints the xcube Viewer calls, over cubes CubeGen wrote
/// (and their pyramids), read-only.
///
/// `GET /`, `GET /datasets[?details=1]`, `GET /datasets/{ds}`, `GET /tiles/{ds}/{var}/{z}/{y}/{x}`
/// (`crs`, `time`, `vmin`, `vmax`, `cmap`), `POST /timeseries/{ds}/{var}` (GeoJSON; `aggMethods`,
/// `startDate`, `endDate`), `GET /statistics/{ds}/{var}` (`lon`, `lat`, `time`), `POST
/// /statistics/{ds}/{var}` (GeoJSON, `time`; `StatisticsQuery`), `GET /colorbars`, `GET /places`,
/// and OGC WMTS 1.0.0 (`/wmts/1.0.0/WMTSCapabilities.xml`, RESTful tiles, `/wmts/kvp`, all with
/// `time`; `WMTSRoutes`); the xcube Viewer
/// app at `/viewer/` when one is installed (`ViewerApp`). Bad requests answer 4xx with `{"error": {"status": …, "message": …}}`; every
/// request is logged as one line on standard error; SIGINT and SIGTERM stop it cleanly.
public struct CubeServer: Sendable {
    /// The cubes, by dataset identifier.
    public let cubes: [ServedCube]
    /// The address to bind (default loopback only).
    public var host: String
    /// The port (0: any free port; the one bound is printed).
    public var port: Int
    /// Bytes of rendered tiles kept.
    public var tileCacheBytes: Int
    /// The version shown by `GET /`.
    public var version: String
    /// The xcube Viewer app served at `/viewer/`, if installed.
    public var viewer: ViewerApp?

    /// A server for `cubes`.
    /// - Throws: `CubeError` when two cubes have the same identifier.
    public init(cubes: [ServedCube], host: String = "127.0.0.1", port: Int = 8080, tileCacheBytes: Int = 64 << 20,
                version: String = "", viewer: ViewerApp? = nil) throws {
        var seen = Set<String>()
        for cube in cubes where !seen.insert(cube.id).inserted {
            throw CubeError(.invalidInput, "two cubes are named '\(cube.id)'; serve them from separate processes or rename one", context: ["file": cube.path])
        }
        self.cubes = cubes
        self.host = host
        self.port = port
        self.tileCacheBytes = tileCacheBytes
        self.version = version
        self.viewer = viewer
    }

    /// Runs until SIGINT or SIGTERM; `onRunning` gets the bound port once the server listens.
    public func run(onRunning: @escaping @Sendable (Int) -> Void = { _ in }) async throws {
        let app = Application(
            router: try router(),
            configuration: ApplicationConfiguration(address: .hostname(host, port: port), serverName: "cubegen"),
            onServerRunning: { channel in onRunning(channel.localAddress?.port ?? 0) },
            logger: { var logger = Logger(label: "cubegen.serve"); logger.logLevel = .warning; return logger }())
        try await app.runService()  // SIGTERM and SIGINT: graceful shutdown
    }

    func router() throws -> Router<BasicRequestContext> {
        let byID = Dictionary(uniqueKeysWithValues: cubes.map { ($0.id, $0) })
        let transforms = Dictionary(uniqueKeysWithValues: cubes.map { ($0.id, GeographicTransforms(grid: $0.descriptor.grid)) })
        // One transform per core ready before the first request (requests use them without suspending).
        for transform in transforms.values { try transform.warm(ProcessInfo.processInfo.activeProcessorCount) }
        let cache = TileCache(budget: tileCacheBytes)
        let placements = TilePixelCache()
        let cubes = self.cubes, version = self.version
        let colorbars = try ServerDocuments.colorbars()
        @Sendable func cube(_ context: BasicRequestContext) throws -> ServedCube {
            let id = try context.parameters.require("ds")
            guard let cube = byID[id] else {
                throw ServeError.notFound("no dataset '\(id)' (datasets: \(byID.keys.sorted().joined(separator: ", ")))")
            }
            return cube
        }
        @Sendable func query(_ request: Request, _ name: String) -> String? { request.uri.queryParameters.get(name) }
        @Sendable func number(_ request: Request, _ name: String) throws -> Double? {
            guard let text = query(request, name) else { return nil }
            guard let value = Double(text), value.isFinite else { throw ServeError.badRequest("\(name) '\(text)' is not a number") }
            return value
        }
        @Sendable func integer(_ context: BasicRequestContext, _ name: String) throws -> Int {
            let text = try context.parameters.require(name)
            guard let value = Int(text) else { throw ServeError.badRequest("\(name) '\(text)' is not a whole number") }
            return value
        }

        let router = Router()
        router.add(middleware: AccessLogAndErrors())
        ViewerRoutes.addMiddleware(to: router, viewer: viewer, fallbackAuthority: "\(self.host):\(self.port)")
        router.get("/") { _, _ in json(ServerDocuments.info(version: version)) }
        router.get("/datasets") { request, _ in
            json(ServerDocuments.datasets(cubes, details: ["1", "true"].contains(query(request, "details") ?? "")))
        }
        router.get("/datasets/:ds") { _, context in json(ServerDocuments.dataset(try cube(context), details: true)) }
        router.get("/tiles/:ds/:var/:z/:y/:x") { request, context in
            let cube = try cube(context)
            let described = try cube.variable(try context.parameters.require("var")), variable = described.name
            let matrix = try TileMatrix.named(query(request, "crs"))
            let z = try integer(context, "z"), y = try integer(context, "y"), x = try integer(context, "x")
            try matrix.check(z: z, y: y, x: x)
            let range = cube.colorRanges[variable] ?? (0, 1)
            let key = TileRequest(dataset: cube.id, variable: variable, matrix: matrix, z: z, y: y, x: x,
                                  timeIndex: try cube.timeIndex(query(request, "time")),
                                  layer: try cube.layer(of: described) { query(request, $0) },
                                  vmin: try number(request, "vmin") ?? range.min, vmax: try number(request, "vmax") ?? range.max,
                                  colorMap: query(request, "cmap") ?? "viridis")
            let png: [UInt8]
            if let cached = cache.get(key) {
                png = cached
            } else {
                png = try await TileRenderer.render(key, cube: cube, transforms: transforms[cube.id]!, placements: placements)
                cache.put(key, png)
            }
            return Response(status: .ok, headers: [.contentType: "image/png", .cacheControl: "max-age=3600"],
                            body: ResponseBody(byteBuffer: ByteBuffer(bytes: png)))
        }
        router.post("/timeseries/:ds/:var") { request, context in
            let cube = try cube(context)
            let variable = try context.parameters.require("var")
            let body = try await request.body.collect(upTo: 8 << 20)
            let geometry = try GeoJSONGeometry.parse(Array(body.readableBytesView))
            let methods = (query(request, "aggMethods") ?? "mean").split(separator: ",").map { String($0).trimmingCharacters(in: .whitespaces) }
            let first = try query(request, "startDate").map { try cube.timeIndex($0) } ?? 0
            let last = try query(request, "endDate").map { try cube.timeIndex($0) } ?? cube.times.count - 1
            guard first <= last else { throw ServeError.badRequest("startDate is after endDate") }
            let layer = try cube.layer(of: try cube.variable(variable)) { query(request, $0) }
            let series = try await TimeSeriesQuery.series(geometry, variable: variable, layer: layer, methods: methods, steps: first...last,
                                                         cube: cube, transforms: transforms[cube.id]!)
            return json(.object([("result", series)]))
        }
        router.get("/statistics/:ds/:var") { request, context in
            let cube = try cube(context)
            guard let lon = try number(request, "lon"), let lat = try number(request, "lat") else {
                throw ServeError.badRequest("statistics need lon and lat query parameters (or POST a GeoJSON geometry to xcube)")
            }
            let variable = try context.parameters.require("var")
            let layer = try cube.layer(of: try cube.variable(variable)) { query(request, $0) }
            let value = try await TimeSeriesQuery.pointValue(lon: lon, lat: lat, variable: variable, layer: layer,
                                                            timeIndex: try cube.timeIndex(query(request, "time")), cube: cube,
                                                            transforms: transforms[cube.id]!)
            return json(.object([("result", value)]))
        }
        router.post("/statistics/:ds/:var") { request, context in
            let cube = try cube(context)
            let variable = try context.parameters.require("var")
            let body = try await request.body.collect(upTo: 8 << 20)
            let geometry = try GeoJSONGeometry.parse(Array(body.readableBytesView))
            let layer = try cube.layer(of: try cube.variable(variable)) { query(request, $0) }
            let result = try await StatisticsQuery.statistics(geometry, variable: variable, layer: layer,
                                                              timeIndex: try cube.timeIndex(label: query(request, "time"), missing: 0),
                                                              cube: cube, transforms: transforms[cube.id]!)
            return json(.object([("result", result)]))
        }
        let host = self.host, port = self.port
        @Sendable func capabilities(_ request: Request) -> Response {
            let base = "http://" + (request.head.authority ?? "\(host):\(port)")
            return Response(status: .ok, headers: [.contentType: "application/xml"],
                            body: ResponseBody(byteBuffer: ByteBuffer(string: WMTSCapabilities.document(cubes, base: base))))
        }
        /// A WMTS tile of `layer` variable in tile matrix set `set` at `time` (a WMTS dimension value).
        @Sendable func wmtsTile(_ cube: ServedCube, _ name: String, set: TileMatrix, z: Int, y: Int, x: Int, time: String?) async throws -> Response {
            let described = try cube.variable(name), variable = described.name
            let deepest = WMTSCapabilities.maxZoom(cube, set)
            guard z <= deepest else {
                throw ServeError.badRequest("TileMatrix \(z) is beyond the deepest of this layer in \(set.wmtsIdentifier) (\(deepest))")
            }
            try set.check(z: z, y: y, x: x)
            let range = cube.colorRanges[variable] ?? (0, 1)
            let key = TileRequest(dataset: cube.id, variable: variable, matrix: set, z: z, y: y, x: x,
                                  timeIndex: try cube.timeIndex(label: time, missing: cube.times.count - 1),
                                  layer: try cube.layer(of: described) { _ in nil },
                                  vmin: range.min, vmax: range.max, colorMap: "viridis")
            let png: [UInt8]
            if let cached = cache.get(key) {
                png = cached
            } else {
                png = try await TileRenderer.render(key, cube: cube, transforms: transforms[cube.id]!, placements: placements)
                cache.put(key, png)
            }
            return Response(status: .ok, headers: [.contentType: "image/png"], body: ResponseBody(byteBuffer: ByteBuffer(bytes: png)))
        }
        router.get("/wmts/1.0.0/WMTSCapabilities.xml") { request, _ in capabilities(request) }
        /// The column of a RESTful tile path's last part (`TileCol.png`).
        @Sendable func column(_ file: String) throws -> Int {
            guard file.hasSuffix(".png"), let x = Int(file.dropLast(4)) else {
                throw ServeError.badRequest("tile '\(file)' is not TileCol.png")
            }
            return x
        }
        /// A whole number from a path part.
        @Sendable func whole(_ text: String, _ what: String) throws -> Int {
            guard let value = Int(text) else { throw ServeError.badRequest("\(what) '\(text)' is not a whole number") }
            return value
        }
        // WebMercatorQuad without the set in the path (the first form served: z/y/x.png), and either
        // set by name (set/z/y/x.png). The router wants the same parameter names at the same depth.
        router.get("/wmts/1.0.0/tile/:ds/:var/:p1/:p2/:p3") { request, context in
            let p = try ["p1", "p2", "p3"].map { try context.parameters.require($0) }
            return try await wmtsTile(try cube(context), try context.parameters.require("var"), set: .webMercator,
                                      z: try whole(p[0], "TileMatrix"), y: try whole(p[1], "TileRow"), x: try column(p[2]),
                                      time: query(request, "time"))
        }
        router.get("/wmts/1.0.0/tile/:ds/:var/:p1/:p2/:p3/:p4") { request, context in
            let p = try ["p1", "p2", "p3", "p4"].map { try context.parameters.require($0) }
            guard let set = TileMatrix.wmts(p[0]) else {
                throw ServeError.badRequest("tile matrix set '\(p[0])' is not WebMercatorQuad or WorldCRS84Quad")
            }
            return try await wmtsTile(try cube(context), try context.parameters.require("var"), set: set,
                                      z: try whole(p[1], "TileMatrix"), y: try whole(p[2], "TileRow"), x: try column(p[3]),
                                      time: query(request, "time"))
        }
        router.get("/wmts/kvp") { request, _ in
            let kvp = WMTSKeyValues(request.uri.queryParameters.map { (String($0.key), String($0.value)) })
            switch try kvp.operation() {
            case .capabilities:
                return capabilities(request)
            case .tile(let dataset, let variable, let set, let z, let y, let x, let time):
                guard let served = byID[dataset] else {
                    throw ServeError.notFound("no dataset '\(dataset)' (datasets: \(byID.keys.sorted().joined(separator: ", ")))")
                }
                return try await wmtsTile(served, variable, set: set, z: z, y: y, x: x, time: time)
            }
        }
        router.get("/colorbars") { _, _ in json(colorbars) }
        router.get("/places") { _, _ in json(ServerDocuments.places) }
        ViewerRoutes.addRoutes(to: router)
        return router
    }
}

/// A JSON response.
func json(_ value: JSONValue, status: HTTPResponse.Status = .ok) -> Response {
    Response(status: status, headers: [.contentType: "application/json"],
             body: ResponseBody(byteBuffer: ByteBuffer(string: value.serialized(indent: 0))))
}

/// Logs one line per request (`METHOD path status bytes ms`) on standard error and turns every
/// error into a JSON answer: `ServeError` and Hummingbird's own (unknown route: 404) with their
/// status, a `CubeError` reading the cube as 500 with its message.
struct AccessLogAndErrors: RouterMiddleware {
    typealias Context = BasicRequestContext

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        let start = ContinuousClock.now
        var response: Response
        do {
            response = try await next(request, context)
        } catch let error as ServeError {
            response = AccessLogAndErrors.error(HTTPResponse.Status(code: error.status), error.message)
        } catch let error as HTTPError {
            response = AccessLogAndErrors.error(error.status, error.body ?? error.status.reasonPhrase)
        } catch let error as CubeError {
            response = AccessLogAndErrors.error(.internalServerError, error.message)
        } catch {
            response = AccessLogAndErrors.error(.internalServerError, "\(error)")
        }
        let elapsed = ContinuousClock.now - start
        let ms = Double(elapsed.components.seconds) * 1000 + Double(elapsed.components.attoseconds) / 1e15
        let line = "\(request.method) \(request.uri) \(response.status.code) \(String(format: "%.1f", ms)) ms\n"
        FileHandle.standardError.write(Data(line.utf8))
        return response
    }

    static func error(_ status: HTTPResponse.Status, _ message: String) -> Response {
        json(.object([("error", .object([("status", .int(Int64(status.code))), ("message", .string(message))]))]), status: status)
    }
}
