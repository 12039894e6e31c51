import Foundation

/// The two tile matrix sets the xcube Viewer asks for: `EPSG:3857` (OGC WebMercatorQuad: one
/// 256-pixel tile at zoom 0) and `OGC:CRS84` (WorldCRS84Quad: two tiles of 180° at zoom 0).
enum TileMatrix: String, Sendable {
    case webMercator = "EPSG:3857"
    case crs84 = "OGC:CRS84"

    /// Pixels per tile side.
    static let size = 256
    /// The highest zoom level served.
    static let maxZoom = 24
    /// WGS 84's semi-major axis, the sphere of Web Mercator.
    static let earthRadius = 6378137.0

    /// The matrix set named by a `crs` query value (default `EPSG:3857`).
    /// - Throws: `ServeError` 400 for any other name.
    static func named(_ name: String?) throws -> TileMatrix {
        switch name ?? "EPSG:3857" {
        case "EPSG:3857", "EPSG:900913": return .webMercator
        case "OGC:CRS84", "CRS84", "EPSG:4326": return .crs84
        default: throw ServeError.badRequest("crs '\(name!)' is not a tile CRS this server knows (EPSG:3857, OGC:CRS84)")
        }
    }

    /// The set's identifier in WMTS (OGC's well-known tile matrix sets).
    var wmtsIdentifier: String {
        switch self {
        case .webMercator: "WebMercatorQuad"
        case .crs84: "WorldCRS84Quad"
        }
    }

    /// The set a WMTS identifier names (`WebMercatorQuad`, `WorldCRS84Quad`), `nil` for another.
    static func wmts(_ identifier: String) -> TileMatrix? {
        [TileMatrix.webMercator, .crs84].first { $0.wmtsIdentifier == identifier }
    }

    /// Tiles in x and y at zoom `z`.
    func counts(zoom z: Int) -> (x: Int, y: Int) {
        switch self {
        case .webMercator: (1 << z, 1 << z)
        case .crs84: (2 << z, 1 << z)
        }
    }

    /// Checks that tile (`z`, `y`, `x`) is in the matrix.
    /// - Throws: `ServeError` 400 naming the tile otherwise.
    func check(z: Int, y: Int, x: Int) throws {
        guard (0...TileMatrix.maxZoom).contains(z) else {
            throw ServeError.badRequest("zoom level \(z) is outside 0…\(TileMatrix.maxZoom) of \(rawValue)")
        }
        let (nx, ny) = counts(zoom: z)
        guard (0..<nx).contains(x), (0..<ny).contains(y) else {
            throw ServeError.badRequest("tile \(z)/\(y)/\(x) is outside the \(nx) × \(ny) tile matrix of \(rawValue) at zoom \(z)")
        }
    }

    /// Longitude and latitude (degrees) of the centre of every pixel of tile (`z`, `y`, `x`), row by row.
    func pixelCenters(z: Int, y: Int, x: Int) -> (lon: [Double], lat: [Double]) {
        let n = TileMatrix.size
        var lon = [Double](repeating: 0, count: n * n), lat = [Double](repeating: 0, count: n * n)
        switch self {
        case .webMercator:
            let half = Double.pi * TileMatrix.earthRadius
            let pixel = 2 * half / Double(n << z)
            for j in 0..<n {
                let my = half - (Double(y * n + j) + 0.5) * pixel
                let latitude = atan(sinh(my / TileMatrix.earthRadius)) * 180 / .pi
                for i in 0..<n {
                    let mx = -half + (Double(x * n + i) + 0.5) * pixel
                    lon[j * n + i] = mx / TileMatrix.earthRadius * 180 / .pi
                    lat[j * n + i] = latitude
                }
            }
        case .crs84:
            let pixel = 180 / Double(n << z)
            for j in 0..<n {
                let latitude = 90 - (Double(y * n + j) + 0.5) * pixel
                for i in 0..<n {
                    lon[j * n + i] = -180 + (Double(x * n + i) + 0.5) * pixel
                    lat[j * n + i] = latitude
                }
            }
        }
        return (lon, lat)
    }
}
