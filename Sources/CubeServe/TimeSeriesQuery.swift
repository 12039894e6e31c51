import CubeCore
import Zarr

/// Time series and statistics of a cube variable at a point or over a polygon, read from level 0
/// (time series from the time-series copy when there is one).
///
/// A point takes the cube pixel nearest to it (none outside the cube: an empty series). A polygon
/// takes the pixels whose centres are inside it (in the cube's CRS, the polygon's vertices
/// transformed, edges straight there), at most `maxPixels` of its bounding box.
enum TimeSeriesQuery {
    /// The most level-0 pixels a polygon's bounding box may cover.
    static let maxPixels = 4_000_000
    /// The aggregations a polygon series may ask for (`aggMethods`).
    static let methods = ["mean", "median", "std", "min", "max", "count"]

    /// The pixels of `geometry` on level 0: a window and, per window pixel, whether it counts.
    static func pixels(_ geometry: GeoJSONGeometry, cube: ServedCube, transforms: GeographicTransforms) throws
        -> (window: PixelWindow, mask: [Bool])? {
        let grid = cube.levels[0].grid
        func nearest(_ x: Double, _ y: Double) -> (row: Int, column: Int)? {
            let c = Int((grid.x.fractionalIndex(x) + 0.5).rounded(.down)), r = Int((grid.y.fractionalIndex(y) + 0.5).rounded(.down))
            return (0..<grid.width).contains(c) && (0..<grid.height).contains(r) ? (r, c) : nil
        }
        switch geometry {
        case .point(let lon, let lat):
            var xs = [lon], ys = [lat]
            try transforms.toCube(x: &xs, y: &ys)
            guard xs[0].isFinite, ys[0].isFinite, let p = nearest(xs[0], ys[0]) else { return nil }
            return (PixelWindow(rows: p.row..<(p.row + 1), columns: p.column..<(p.column + 1)), [true])
        case .polygon(let rings):
            var cubeRings: [[(x: Double, y: Double)]] = []
            for ring in rings {
                var xs = ring.map(\.lon), ys = ring.map(\.lat)
                try transforms.toCube(x: &xs, y: &ys)
                guard !xs.contains(where: { !$0.isFinite }), !ys.contains(where: { !$0.isFinite }) else {
                    throw ServeError.badRequest("the polygon has vertices outside the area of the cube's CRS")
                }
                cubeRings.append(Array(zip(xs, ys)).map { (x: $0.0, y: $0.1) })
            }
            let xs = cubeRings[0].map(\.x), ys = cubeRings[0].map(\.y)
            let fx = [grid.x.fractionalIndex(xs.min()!), grid.x.fractionalIndex(xs.max()!)]
            let fy = [grid.y.fractionalIndex(ys.min()!), grid.y.fractionalIndex(ys.max()!)]
            let columns = max(0, Int(fx.min()!.rounded(.down)))..<min(grid.width, Int(fx.max()!.rounded(.up)) + 1)
            let rows = max(0, Int(fy.min()!.rounded(.down)))..<min(grid.height, Int(fy.max()!.rounded(.up)) + 1)
            guard !rows.isEmpty, !columns.isEmpty else { return nil }
            guard rows.count * columns.count <= maxPixels else {
                throw ServeError(413, "the polygon covers \(rows.count * columns.count) cube pixels; at most \(maxPixels) are served")
            }
            var mask = [Bool](repeating: false, count: rows.count * columns.count)
            for (r, row) in rows.enumerated() {
                let y = grid.y.values[row]
                for (c, column) in columns.enumerated() {
                    mask[r * columns.count + c] = GeoJSONGeometry.contains(cubeRings, x: grid.x.values[column], y: y)
                }
            }
            guard mask.contains(true) else { return nil }
            return (PixelWindow(rows: rows, columns: columns), mask)
        }
    }

    /// The series as xcube answers it: per time step `{"mean": v, …, "time": "…Z"}` (a point gives
    /// `mean` only; `null` where no valid value), between `start` and `end` (time indices).
    static func series(_ geometry: GeoJSONGeometry, variable: String, layer: [Int] = [], methods wanted: [String], steps: ClosedRange<Int>,
                       cube: ServedCube, transforms: GeographicTransforms) async throws -> JSONValue {
        _ = try cube.variable(variable)
        for method in wanted where !methods.contains(method) {
            throw ServeError.badRequest("aggMethods '\(method)' is not one of \(methods.joined(separator: ", "))")
        }
        guard let (window, mask) = try pixels(geometry, cube: cube, transforms: transforms) else { return .array([]) }
        let isPoint = if case .point = geometry { true } else { false }
        let keys = isPoint ? ["mean"] : (wanted.isEmpty ? ["mean"] : wanted)
        let times = cube.times
        let reader = cube.seriesReader
        var result: [JSONValue] = []
        for t in steps {
            let values = try await cube.read(reader, variable, timeIndex: t, layer: layer, window: window)
            var valid: [Double] = []
            for (k, v) in values.enumerated() where mask[k] && !v.isNaN { valid.append(Double(v)) }
            let count = valid.count
            let mean = count > 0 ? valid.reduce(0, +) / Double(count) : .nan
            var item: [(String, JSONValue)] = keys.map { key in
                guard count > 0 || key == "count" else { return (key, .null) }
                switch key {
                case "count": return (key, .int(Int64(count)))
                case "min": return (key, .double(valid.min()!))
                case "max": return (key, .double(valid.max()!))
                case "std":  // population standard deviation (ddof 0), as xarray's std
                    return (key, .double((valid.reduce(0) { $0 + ($1 - mean) * ($1 - mean) } / Double(count)).squareRoot()))
                case "median":
                    let sorted = valid.sorted()
                    return (key, .double(count % 2 == 1 ? sorted[count / 2] : (sorted[count / 2 - 1] + sorted[count / 2]) / 2))
                default: return (key, .double(mean))
                }
            }
            item.append(("time", .string(times[t])))
            result.append(.object(item))
        }
        return .array(result)
    }

    /// `GET /statistics/{ds}/{var}?lon=&lat=&time=`: the value of the nearest pixel at that time
    /// (`{"value": v}`, `null` outside the cube or where missing), xcube's compact form.
    static func pointValue(lon: Double, lat: Double, variable: String, layer: [Int] = [], timeIndex: Int, cube: ServedCube,
                           transforms: GeographicTransforms) async throws -> JSONValue {
        _ = try cube.variable(variable)
        guard let (window, _) = try pixels(.point(lon: lon, lat: lat), cube: cube, transforms: transforms) else {
            return .object([("value", .null)])
        }
        let value = try await cube.read(cube.levels[0].reader, variable, timeIndex: timeIndex, layer: layer, window: window)[0]
        return .object([("value", value.isNaN ? .null : .double(Double(value)))])
    }
}
