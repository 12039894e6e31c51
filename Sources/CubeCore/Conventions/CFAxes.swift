/// Finds a dataset's time, x and y axes by CF metadata (CF-1.10 §4): `axis`, `standard_name` and
/// `units` of coordinate variables, falling back to conventional names only when no attribute says.
/// Shared by every store that reads CF datasets (NetCDF, Zarr).
public struct CFAxes<Variable: CFVariableMetadata>: Sendable {
    /// What a coordinate variable is.
    public enum Kind: Equatable, Sendable { case time, longitude, latitude, projectionX, projectionY }

    /// The 1-D time coordinate, if any.
    public var time: Variable?
    /// The 1-D x axis, or for a curvilinear grid the 2-D longitudes.
    public var x: Variable
    /// The 1-D y axis, or for a curvilinear grid the 2-D latitudes.
    public var y: Variable
    /// Whether x/y are longitude/latitude.
    public var isGeographic: Bool
    /// Whether x/y are 2-D longitude/latitude arrays (CF §5.2, a curvilinear grid).
    public var isCurvilinear = false

    /// The names of the x and y dimensions.
    public var dimensions: (x: String, y: String) {
        isCurvilinear ? (y.dimensions[1], y.dimensions[0]) : (x.name, y.name)
    }

    /// CF longitude units.
    public static var longitudeUnits: Set<String> { ["degrees_east", "degree_east", "degree_e", "degrees_e", "degreee", "degreese"] }
    /// CF latitude units.
    public static var latitudeUnits: Set<String> { ["degrees_north", "degree_north", "degree_n", "degrees_n", "degreen", "degreesn"] }

    /// The kind of coordinate `v` is, from its attributes, else from its name.
    public static func kind(of v: Variable) -> Kind? {
        let a = v.attributes
        let units = a[named: "units"]?.text?.lowercased() ?? ""
        let standardName = a[named: "standard_name"]?.text?.lowercased() ?? ""
        let axis = a[named: "axis"]?.text?.uppercased() ?? ""
        if standardName == "longitude" || longitudeUnits.contains(units) { return .longitude }
        if standardName == "latitude" || latitudeUnits.contains(units) { return .latitude }
        if standardName == "time" || axis == "T" || units.contains(" since ") { return .time }
        if standardName == "projection_x_coordinate" || standardName == "grid_longitude" || axis == "X" { return .projectionX }
        if standardName == "projection_y_coordinate" || standardName == "grid_latitude" || axis == "Y" { return .projectionY }
        switch v.name.lowercased() {
        case "lon", "longitude": return .longitude
        case "lat", "latitude": return .latitude
        case "time", "t": return .time
        case "x": return .projectionX
        case "y": return .projectionY
        default: return nil
        }
    }

    /// Finds the axes among the 1-D coordinate variables (a variable named after its only dimension),
    /// else 2-D longitude/latitude variables.
    /// - Throws: `CubeError` (`.invalidInput`) naming `path` when no x/y axes are found.
    public init(variables: [Variable], path: String) throws {
        let coordinates = variables.filter { $0.dimensions.count == 1 && $0.dimensions[0] == $0.name }
        var found: [Kind: Variable] = [:]
        for variable in coordinates {
            if let kind = CFAxes.kind(of: variable), found[kind] == nil { found[kind] = variable }
        }
        time = found[.time]
        if let lon = found[.longitude], let lat = found[.latitude] {
            x = lon
            y = lat
            isGeographic = true
        } else if let px = found[.projectionX], let py = found[.projectionY] {
            x = px
            y = py
            isGeographic = false
        } else {
            let twoDimensional = variables.filter { $0.dimensions.count == 2 }
            let lon = twoDimensional.first { CFAxes.kind(of: $0) == .longitude }
            let lat = twoDimensional.first { CFAxes.kind(of: $0) == .latitude }
            if let lon, let lat {
                guard lon.dimensions == lat.dimensions else {
                    throw CubeError(.invalidInput,
                        "'\(path)': 2-D longitude '\(lon.name)\(lon.dimensions)' and latitude '\(lat.name)\(lat.dimensions)' do not share their dimensions",
                        context: ["file": path])
                }
                x = lon
                y = lat
                isGeographic = false
                isCurvilinear = true
                return
            }
            throw CubeError(.invalidInput,
                "'\(path)' has no 1-D x/y or longitude/latitude coordinate variables (CF axis, standard_name or units)",
                context: ["file": path])
        }
    }
}
