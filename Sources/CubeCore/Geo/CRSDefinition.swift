/// A coordinate reference system as the user or a file gave it: an authority code (`EPSG:3035`),
/// WKT, or a PROJ string. Interpreting it is `CubeProjection`'s job.
public struct CRSDefinition: Hashable, Sendable, CustomStringConvertible {
    /// The definition text.
    public var text: String

    /// Creates a definition from text.
    public init(_ text: String) { self.text = text }

    /// WGS 84 longitude/latitude, the CRS of CF grids without a grid mapping.
    public static let wgs84 = CRSDefinition("EPSG:4326")

    /// The text.
    public var description: String { text }
}
