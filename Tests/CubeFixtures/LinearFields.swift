import CubeCore
public import CubeSamples
public import CubeStoreNetCDF

/// Fields linear in longitude and latitude (bilinear interpolation reproduces them exactly), with
/// a deterministic land mask for fill values and a packed variant, on configurable grids.
public enum LinearFields {
    /// Temperature-like: 250 + 0.1·lon + 0.5·lat + (t − 7305), t in days since 2000-01-01.
    public static func temperature(_ lon: Double, _ lat: Double, _ t: Double) -> Double { 250 + 0.1 * lon + 0.5 * lat + (t - 7305) }

    /// Whether a cell is "sea" (missing in `masked`): a band of latitude.
    public static func isSea(_ lon: Double, _ lat: Double) -> Bool { lat > 20 && lat < 30 }

    /// Masked field: 1 + 0.01·lon + 0.02·lat + 0.1·(t − 7305), missing at sea.
    public static func masked(_ lon: Double, _ lat: Double, _ t: Double) -> Double? {
        isSea(lon, lat) ? nil : 1 + 0.01 * lon + 0.02 * lat + 0.1 * (t - 7305)
    }

    /// Packed field (int16, scale 1e-3): 0.2 + 0.001·lon + 0.002·lat.
    public static func packed(_ lon: Double, _ lat: Double, _ t: Double) -> Double? { 0.2 + 0.001 * lon + 0.002 * lat }

    /// A global geographic dataset of the three fields.
    /// - Parameters:
    ///   - resolution: Cell size in degrees.
    ///   - days: Time values (days since 2000-01-01).
    ///   - latitudeAscending: Latitude order.
    ///   - longitude360: Longitudes 0…360 instead of −180…180.
    public static func dataset(resolution: Double = 1, days: [Double], latitudeAscending: Bool = false, longitude360: Bool = false,
                               calendar: String = "standard", dimensionOrder: [String] = ["time", "y", "x"],
                               format: NetCDFWriter.Format = .netCDF4) -> SampleDataset {
        let nx = Int(360 / resolution), ny = Int(180 / resolution)
        let lon = SampleDataset.axis(start: (longitude360 ? 0 : -180) + resolution / 2, step: resolution, count: nx)
        let lat = latitudeAscending
            ? SampleDataset.axis(start: -90 + resolution / 2, step: resolution, count: ny)
            : SampleDataset.axis(start: 90 - resolution / 2, step: -resolution, count: ny)
        @Sendable func normal(_ x: Double) -> Double { x > 180 ? x - 360 : x }
        return SampleDataset(
            x: lon, y: lat, geographic: true, times: days, timeUnits: "days since 2000-01-01", calendar: calendar,
            variables: [
                .init(name: "tas", dataType: .float32, attributes: [Attribute("units", .text("K")),
                      Attribute("standard_name", .text("air_temperature"))]) { temperature(normal($0), $1, $2) },
                .init(name: "wet", dataType: .float32, attributes: [Attribute("units", .text("1")),
                      Attribute("_FillValue", .reals([-9999]))]) { masked(normal($0), $1, $2) },
                .init(name: "pk", dataType: .int16, attributes: [Attribute("scale_factor", .reals([1e-3])),
                      Attribute("add_offset", .reals([0])), Attribute("_FillValue", .integers([-32767]))]) { packed(normal($0), $1, $2) },
            ],
            dimensionOrder: dimensionOrder, format: format)
    }
}
