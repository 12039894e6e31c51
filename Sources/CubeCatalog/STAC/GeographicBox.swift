public import Zarr

/// A longitude/latitude box in WGS 84 degrees, from a grid's pixel edges. `west > east` means the
/// box crosses the antimeridian (as in GeoJSON, RFC 7946 §5.2, and ACDD).
public struct GeographicBox: Sendable, Hashable {
    /// The western edge, −180…180.
    public var west: Double
    /// The southern edge.
    public var south: Double
    /// The eastern edge, −180…180.
    public var east: Double
    /// The northern edge.
    public var north: Double

    /// Creates a box; longitudes are brought into −180…180 (an east edge of 180 stays 180).
    public init(west: Double, south: Double, east: Double, north: Double) {
        let spansAll = east - west >= 360 - 1e-9
        self.west = spansAll ? -180 : GeographicBox.normalized(west, eastEdge: false)
        self.east = spansAll ? 180 : GeographicBox.normalized(east, eastEdge: true)
        self.south = south
        self.north = north
    }

    /// Whether the box crosses the antimeridian.
    public var crossesAntimeridian: Bool { west > east }

    /// The smallest longitude range holding every longitude given (the complement of the
    /// largest gap between them on the circle), with the latitude range.
    public static func enclosing(longitudes: [Double], latitudes: [Double]) -> GeographicBox? {
        let lons = longitudes.filter(\.isFinite).map { normalized($0, eastEdge: false) }.sorted()
        let lats = latitudes.filter(\.isFinite)
        guard let first = lons.first, let last = lons.last, let south = lats.min(), let north = lats.max() else { return nil }
        var gap = first + 360 - last, west = first, east = last
        for k in 1..<lons.count where lons[k] - lons[k - 1] > gap {
            gap = lons[k] - lons[k - 1]
            west = lons[k]
            east = lons[k - 1]
        }
        return GeographicBox(west: west, south: south, east: east, north: north)
    }

    /// STAC `extent.spatial.bbox` of a Collection: the overall box first and, across the
    /// antimeridian, its two halves after it.
    public var collectionBoxes: [[Double]] {
        guard crossesAntimeridian else { return [[west, south, east, north]] }
        return [[west, south, east, north], [west, south, 180, north], [-180, south, east, north]]
    }

    /// A GeoJSON geometry: a Polygon, or across the antimeridian a MultiPolygon split there.
    public var geometry: JSONValue {
        func ring(_ w: Double, _ e: Double) -> JSONValue {
            .array([[w, south], [e, south], [e, north], [w, north], [w, south]].map { .array($0.map(JSONValue.double)) })
        }
        if crossesAntimeridian {
            return .object([("type", .string("MultiPolygon")),
                            ("coordinates", .array([.array([ring(west, 180)]), .array([ring(-180, east)])]))])
        }
        return .object([("type", .string("Polygon")), ("coordinates", .array([ring(west, east)]))])
    }

    private static func normalized(_ lon: Double, eastEdge: Bool) -> Double {
        var value = (lon + 180).truncatingRemainder(dividingBy: 360)
        if value < 0 { value += 360 }
        value -= 180
        if eastEdge && value == -180 && lon > -180 { return 180 }
        return value
    }
}
