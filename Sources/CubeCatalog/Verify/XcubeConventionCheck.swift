import CubeCore
import Zarr

/// The xcube dataset convention, as `xcube verify` checks it: 1-D x/y (or lon/lat) and time
/// coordinates named after their dimensions, bounds of shape (n, 2), a strictly increasing
/// decodable time, lon/lat within range, every data variable `(time, …, y, x)` with the same
/// dimensions and chunks, and equidistant x/y.
struct XcubeConventionCheck {
    let cube: CubeSnapshot

    /// The x and y coordinate names: by `standard_name`, then by the usual names.
    var spatialNames: (x: String, y: String)? {
        func oneDimensional(_ name: String) -> Bool { cube.arrays[name]?.dimensions == [name] }
        let standard: [(String, String)] = [("projection_x_coordinate", "projection_y_coordinate"), ("longitude", "latitude")]
        for (xStandard, yStandard) in standard {
            let x = cube.arrays.values.first { $0.attributes["standard_name"]?.stringValue == xStandard && oneDimensional($0.name) }
            let y = cube.arrays.values.first { $0.attributes["standard_name"]?.stringValue == yStandard && oneDimensional($0.name) }
            if let x, let y { return (x.name, y.name) }
        }
        for (x, y) in [("lon", "lat"), ("longitude", "latitude"), ("x", "y")] where oneDimensional(x) && oneDimensional(y) {
            return (x, y)
        }
        return nil
    }

    /// The time coordinate's name.
    var timeName: String? { ["time", "t"].first { cube.arrays[$0]?.dimensions == [$0] } }

    /// Whether x/y are longitude/latitude.
    func isGeographic(_ names: (x: String, y: String)) -> Bool {
        cube.arrays[names.x]?.attributes["standard_name"]?.stringValue == "longitude" || names.x.hasPrefix("lon")
    }

    func run(into problems: inout [VerificationProblem]) async {
        func error(_ message: String) { problems.append(VerificationProblem(.error, .xcube, message)) }
        let xy = spatialNames, time = timeName
        if xy == nil { error("missing spatial x,y coordinate variables (1-D lon/lat or x/y named after their dimensions)") }
        if time == nil { error("missing time coordinate variable (1-D 'time')") }
        if let time { await checkTime(time, error) }
        if let xy {
            for name in [xy.x, xy.y] { checkBounds(name, error) }
            if isGeographic(xy) {
                await checkRange(xy.x, -180, 180, error)
                await checkRange(xy.y, -90, 90, error)
            }
            await checkEquidistant(xy.x, geographic: isGeographic(xy), error)
            await checkEquidistant(xy.y, geographic: false, error)
        }
        if let xy, let time { checkDataVariables(xy, time, error) }
    }

    private func checkBounds(_ name: String, _ error: (String) -> Void) {
        guard let coordinate = cube.arrays[name], let size = coordinate.metadata?.shape.first else { return }
        let boundsName = coordinate.attributes["bounds"]?.stringValue ?? "\(name)_bnds"
        guard let bounds = cube.arrays[boundsName] else { return }
        if bounds.dimensions?.count != 2 || bounds.dimensions?.first != name {
            error("bounds coordinate variable '\(boundsName)' must have dimensions ('\(name)', <bounds_dim>)")
        }
        if let shape = bounds.metadata?.shape, shape != [size, 2] {
            error("shape of bounds coordinate variable '\(boundsName)' must be (\(size), 2) but was (\(shape.map(String.init).joined(separator: ", ")))")
        }
    }

    private func checkTime(_ name: String, _ error: (String) -> Void) async {
        guard let node = cube.arrays[name], let metadata = node.metadata else { return }
        if metadata.shape.first == 0 { error("coordinate variable '\(name)' must not be empty") }
        checkBounds(name, error)
        let units = node.attributes["units"]?.stringValue ?? ""
        let calendarName = node.attributes["calendar"]?.stringValue ?? "standard"
        guard let calendar = CFCalendar(cfName: calendarName), (try? CFTimeUnits(parsing: units, calendar: calendar)) != nil else {
            error("type of coordinate variable '\(name)' must be datetime64: units '\(units)' (calendar '\(calendarName)') do not decode")
            return
        }
        guard let values = await cube.values(name) else { return }
        if zip(values, values.dropFirst()).contains(where: { !($1 > $0) }) {
            error("values of coordinate variable '\(name)' must be monotonic increasing")
        }
    }

    private func checkRange(_ name: String, _ low: Double, _ high: Double, _ error: (String) -> Void) async {
        guard let values = await cube.values(name) else { return }
        if values.contains(where: { !$0.isFinite }) { error("values of coordinate variable '\(name)' must be finite") }
        if let lo = values.min(), let hi = values.max(), lo < low || hi > high {
            error("values of coordinate variable '\(name)' must be in the range \(low) to \(high) (found \(lo) … \(hi))")
        }
    }

    private func checkEquidistant(_ name: String, geographic: Bool, _ error: (String) -> Void) async {
        guard let values = await cube.values(name), values.count > 2 else { return }
        var steps = zip(values, values.dropFirst()).map { $1 - $0 }
        if geographic, steps.filter({ $0 < 0 }).count == 1 { steps = steps.map { $0 < 0 ? $0 + 360 : $0 } }
        let first = steps[0], tolerance = abs(first) / 100
        if steps.contains(where: { abs($0 - first) > tolerance + 1e-12 }) {
            error("coordinate variable '\(name)' is not equidistant")
        }
    }

    private func checkDataVariables(_ xy: (x: String, y: String), _ time: String, _ error: (String) -> Void) {
        var first: (name: String, dims: [String], chunks: [Int]?)?
        for node in cube.dataVariables {
            if node.attributes["grid_mapping_name"] != nil || node.attributes["crs_wkt"] != nil { continue }
            let dims = node.dimensions ?? []
            if dims.count < 3 || dims[0] != time || dims[dims.count - 2] != xy.y || dims[dims.count - 1] != xy.x {
                error("dimensions of data variable '\(node.name)' must be ('\(time)', ..., '\(xy.y)', '\(xy.x)'), but were (\(dims.map { "'\($0)'" }.joined(separator: ", ")))")
            }
            guard let reference = first else {
                first = (node.name, dims, node.metadata?.chunks)
                continue
            }
            if reference.dims != dims {
                error("dimensions of all data variables must be same, but found \(reference.dims) for '\(reference.name)' and \(dims) for '\(node.name)'")
            }
            if reference.chunks != node.metadata?.chunks {
                error("all data variables must have same chunk sizes, but found \(reference.chunks ?? []) for '\(reference.name)' and \(node.metadata?.chunks ?? []) for '\(node.name)'")
            }
        }
    }
}
