import CubeCore
import Foundation

/// The analytic fields of the demo input: temperature, land-only precipitation and packed NDVI on
/// a global lat/lon grid, like a small daily product.
public enum DemoFields {
    /// Temperature in K at (lon, lat) in degrees and t in days since 2000-01-01.
    public static func temperature(_ lon: Double, _ lat: Double, _ t: Double) -> Double {
        let phi = lat * .pi / 180, lambda = lon * .pi / 180
        let season = sin(2 * .pi * (t - 80) / 365.25)
        return 258 + 40 * cos(phi) * cos(phi) + 12 * sin(phi) * season + 3 * cos(phi) * sin(2 * lambda + 2 * .pi * t / 20)
    }

    /// Whether (lon, lat) is land in the analytic land mask.
    public static func isLand(_ lon: Double, _ lat: Double) -> Bool {
        let phi = lat * .pi / 180, lambda = lon * .pi / 180
        return 0.6 * sin(2 * lambda + 1) + 0.5 * cos(3 * phi) + 0.3 * sin(5 * lambda) * sin(4 * phi) - 0.2 > 0
    }

    /// Precipitation in mm/day over land, `nil` over sea.
    public static func precipitation(_ lon: Double, _ lat: Double, _ t: Double) -> Double? {
        guard isLand(lon, lat) else { return nil }
        let phi = lat * .pi / 180, lambda = lon * .pi / 180
        let season = sin(2 * .pi * (t - 80) / 365.25)
        return 0.2 + 6 * exp(-pow(lat - 8 * season, 2) / 200) + (1 + sin(3 * lambda - 2 * .pi * t / 7)) * cos(phi) * cos(phi)
    }

    /// NDVI over land north of 60° S, `nil` elsewhere.
    public static func ndvi(_ lon: Double, _ lat: Double, _ t: Double) -> Double? {
        guard isLand(lon, lat), lat > -60 else { return nil }
        let phi = lat * .pi / 180, lambda = lon * .pi / 180
        return 0.35 + 0.25 * cos(phi) * (1 + sin(phi) * sin(2 * .pi * (t - 110) / 365.25)) + 0.05 * sin(lambda - t / 30)
    }

    /// The demo dataset for days `firstDay ..< firstDay + days` (days since 2000-01-01) on a
    /// global grid of `resolution` degrees, latitude descending.
    public static func dataset(firstDay: Int, days: Int, resolution: Double) -> SampleDataset {
        let nx = Int((360 / resolution).rounded()), ny = Int((180 / resolution).rounded())
        return SampleDataset(
            x: SampleDataset.axis(start: -180 + resolution / 2, step: resolution, count: nx),
            y: SampleDataset.axis(start: 90 - resolution / 2, step: -resolution, count: ny),
            geographic: true,
            gridMapping: [Attribute("grid_mapping_name", .text("latitude_longitude")),
                          Attribute("semi_major_axis", .reals([6_378_137])), Attribute("inverse_flattening", .reals([298.257223563]))],
            times: (0..<days).map { Double(firstDay + $0) }, timeUnits: "days since 2000-01-01", calendar: "standard",
            variables: [
                .init(name: "t2m", dataType: .float32, attributes: [
                    Attribute("units", .text("K")), Attribute("standard_name", .text("air_temperature")),
                    Attribute("long_name", .text("2 m air temperature"))]) { temperature($0, $1, $2) },
                .init(name: "precip", dataType: .float32, attributes: [
                    Attribute("units", .text("mm/day")), Attribute("long_name", .text("precipitation")),
                    Attribute("_FillValue", .reals([-9999]))]) { precipitation($0, $1, $2) },
                .init(name: "ndvi", dataType: .int16, attributes: [
                    Attribute("units", .text("1")), Attribute("long_name", .text("normalized difference vegetation index")),
                    Attribute("scale_factor", .reals([1e-4])), Attribute("add_offset", .reals([0])),
                    Attribute("_FillValue", .integers([-32768])), Attribute("valid_range", .integers([-2000, 10000]))]) { ndvi($0, $1, $2) },
            ])
    }
}
