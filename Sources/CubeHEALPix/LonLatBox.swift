/// A longitude/latitude box in degrees, possibly crossing the antimeridian.
///
/// `west > east` means the box wraps through 180°; `east − west ≥ 360` covers every longitude.
/// The same convention as `CubeCatalog.GeographicBox`, which this level-1 module cannot import; the
/// two can become one when a plain box type lives in `CubeCore`.
public struct LonLatBox: Sendable, Hashable {
    /// Western edge, degrees east.
    public var west: Double
    /// Southern edge, degrees north.
    public var south: Double
    /// Eastern edge, degrees east.
    public var east: Double
    /// Northern edge, degrees north.
    public var north: Double

    /// The box between these edges.
    ///
    /// - Precondition: `south ≤ north`, both in `[-90, 90]`.
    public init(west: Double, south: Double, east: Double, north: Double) {
        precondition(south <= north && south >= -90 && north <= 90, "latitudes \(south)…\(north) out of order or range")
        self.west = west
        self.south = south
        self.east = east
        self.north = north
    }

    /// The longitudinal width in degrees, in `[0, 360]`.
    public var width: Double {
        if east - west >= 360 { return 360 }
        var w = (east - west).truncatingRemainder(dividingBy: 360)
        if w < 0 { w += 360 }
        return w
    }
}
