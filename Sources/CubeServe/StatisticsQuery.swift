import CubeCore
import Zarr

/// `POST /statistics/{ds}/{var}?time=`: statistics of one time step of a variable over a GeoJSON
/// point or polygon, as xcube Server 1.14 answers them (`xcube.webapi.statistics.controllers`).
///
/// A point: the nearest level-0 pixel, `{"count": 1, "minimum": v, "maximum": v, "mean": v,
/// "deviation": 0}`. A polygon: the level-0 pixels whose centres are inside it (as
/// `TimeSeriesQuery.pixels`), `count`, `minimum`, `maximum`, `mean`, `deviation` (population
/// standard deviation) and `histogram` (`values`: 100 bins over [minimum, maximum], numpy's
/// `density=True`; `edges`: the 101 bin edges). No valid pixel (or outside the cube): `{"count": 0}`.
enum StatisticsQuery {
    /// The histogram's bin count (xcube's `DEFAULT_BIN_COUNT`).
    static let binCount = 100

    /// The statistics document (the value of xcube's `"result"`).
    static func statistics(_ geometry: GeoJSONGeometry, variable: String, layer: [Int] = [], timeIndex: Int, cube: ServedCube,
                           transforms: GeographicTransforms) async throws -> JSONValue {
        _ = try cube.variable(variable)
        guard let (window, mask) = try TimeSeriesQuery.pixels(geometry, cube: cube, transforms: transforms) else {
            return .object([("count", .int(0))])
        }
        let values = try await cube.read(cube.levels[0].reader, variable, timeIndex: timeIndex, layer: layer, window: window)
        var valid: [Double] = []
        for (k, v) in values.enumerated() where mask[k] && !v.isNaN { valid.append(Double(v)) }
        guard let minimum = valid.min(), let maximum = valid.max() else { return .object([("count", .int(0))]) }
        let count = valid.count
        let mean = valid.reduce(0, +) / Double(count)
        let deviation = (valid.reduce(0) { $0 + ($1 - mean) * ($1 - mean) } / Double(count)).squareRoot()
        var members: [(String, JSONValue)] = [
            ("count", .int(Int64(count))), ("minimum", .double(minimum)), ("maximum", .double(maximum)),
            ("mean", .double(mean)), ("deviation", .double(deviation)),
        ]
        if case .polygon = geometry {
            let (density, edges) = histogram(valid, bins: binCount, range: (minimum, maximum))
            members.append(("histogram", .object([("values", .array(density.map(JSONValue.double))),
                                                  ("edges", .array(edges.map(JSONValue.double)))])))
        }
        return .object(members)
    }

    /// numpy's `histogram(values, bins, range=range, density=True)`: equal-width bins between
    /// the range's ends (widened by ±0.5 when they are equal), the last bin closed on the right,
    /// each bin's count divided by (total count × bin width).
    static func histogram(_ values: [Double], bins: Int, range: (Double, Double)) -> (density: [Double], edges: [Double]) {
        var (first, last) = range
        if first == last { first -= 0.5; last += 0.5 }
        let step = (last - first) / Double(bins)
        var edges = (0...bins).map { Double($0) * step + first }
        edges[bins] = last
        var counts = [Int](repeating: 0, count: bins)
        let norm = Double(bins) / (last - first)
        for v in values where v >= first && v <= last {
            var i = Int((v - first) * norm)
            if i == bins { i -= 1 }
            // numpy's correction for rounding at the edges.
            if v < edges[i] { i -= 1 } else if i != bins - 1 && v >= edges[i + 1] { i += 1 }
            counts[i] += 1
        }
        let total = Double(counts.reduce(0, +))
        let density = counts.indices.map { Double(counts[$0]) / (edges[$0 + 1] - edges[$0]) / total }
        return (density, edges)
    }
}
