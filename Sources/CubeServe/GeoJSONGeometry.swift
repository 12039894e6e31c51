import Zarr

/// The GeoJSON geometries a time-series or statistics request may carry (RFC 7946): a point, or
/// a polygon (exterior ring, holes), in longitude/latitude; a Feature's geometry is taken.
enum GeoJSONGeometry: Sendable {
    case point(lon: Double, lat: Double)
    /// Rings of (lon, lat): the exterior first, then holes.
    case polygon([[(lon: Double, lat: Double)]])

    /// The most vertices a polygon may have.
    static let maxVertices = 100_000

    /// Parses a request body.
    /// - Throws: `ServeError` 400 saying what is wrong with the GeoJSON.
    static func parse(_ body: [UInt8]) throws -> GeoJSONGeometry {
        guard let json = try? JSONValue.parse(body) else { throw ServeError.badRequest("the request body is not JSON (a GeoJSON Point or Polygon)") }
        return try parse(json)
    }

    static func parse(_ json: JSONValue) throws -> GeoJSONGeometry {
        guard let type = json["type"]?.stringValue else { throw ServeError.badRequest("malformed GeoJSON: no \"type\"") }
        func number(_ value: JSONValue?) -> Double? {
            switch value {
            case .int(let v)?: Double(v)
            case .double(let v)?: v
            default: nil
            }
        }
        func position(_ value: JSONValue) throws -> (lon: Double, lat: Double) {
            guard case .array(let items) = value, items.count >= 2, let lon = number(items[0]), let lat = number(items[1]),
                  lon.isFinite, lat.isFinite, (-180...360).contains(lon), (-90...90).contains(lat) else {
                throw ServeError.badRequest("malformed GeoJSON: a position must be [longitude, latitude] in degrees")
            }
            return (lon, lat)
        }
        switch type {
        case "Feature":
            guard let geometry = json["geometry"] else { throw ServeError.badRequest("malformed GeoJSON: a Feature without \"geometry\"") }
            return try parse(geometry)
        case "Point":
            guard let coordinates = json["coordinates"] else { throw ServeError.badRequest("malformed GeoJSON: a Point without \"coordinates\"") }
            let p = try position(coordinates)
            return .point(lon: p.lon, lat: p.lat)
        case "Polygon":
            guard case .array(let rings)? = json["coordinates"], !rings.isEmpty else {
                throw ServeError.badRequest("malformed GeoJSON: a Polygon needs \"coordinates\": [[[lon, lat], …]]")
            }
            var parsed: [[(lon: Double, lat: Double)]] = []
            var vertices = 0
            for ring in rings {
                guard case .array(let points) = ring, points.count >= 4 else {
                    throw ServeError.badRequest("malformed GeoJSON: a polygon ring needs at least 4 positions")
                }
                vertices += points.count
                guard vertices <= maxVertices else { throw ServeError(413, "the polygon has more than \(maxVertices) vertices") }
                parsed.append(try points.map(position))
            }
            return .polygon(parsed)
        default:
            throw ServeError.badRequest("GeoJSON type '\(type)' is not supported here (Point, Polygon, or a Feature of one)")
        }
    }

    /// Whether (x, y) is inside the rings (even-odd rule over all rings: holes excluded).
    static func contains(_ rings: [[(x: Double, y: Double)]], x: Double, y: Double) -> Bool {
        var inside = false
        for ring in rings {
            var j = ring.count - 1
            for i in 0..<ring.count {
                let a = ring[i], b = ring[j]
                if (a.y > y) != (b.y > y), x < (b.x - a.x) * (y - a.y) / (b.y - a.y) + a.x { inside.toggle() }
                j = i
            }
        }
        return inside
    }
}
