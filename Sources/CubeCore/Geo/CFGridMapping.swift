/// CF grid-mapping attributes (CF-1.10 Appendix F) and their PROJ equivalents.
///
/// Reading: a grid-mapping variable without `crs_wkt`/`spatial_ref` becomes a PROJ string.
/// Writing: `CubeProjection` derives the attributes from a PROJ definition with the inverse table.
public enum CFGridMapping {
    /// One CF grid mapping: its CF name, PROJ projection name, and parameter pairs (CF attribute,
    /// PROJ parameter).
    public struct Projection: Sendable {
        /// The CF `grid_mapping_name`.
        public var cfName: String
        /// The PROJ `+proj=` name.
        public var projName: String
        /// Pairs of (CF attribute, PROJ parameter name without `+`).
        public var parameters: [(cf: String, proj: String)]
    }

    /// The projections CubeGen translates both ways.
    public static let projections: [Projection] = [
        Projection(cfName: "latitude_longitude", projName: "longlat", parameters: []),
        Projection(cfName: "lambert_azimuthal_equal_area", projName: "laea", parameters: [
            ("longitude_of_projection_origin", "lon_0"), ("latitude_of_projection_origin", "lat_0"),
            ("false_easting", "x_0"), ("false_northing", "y_0")]),
        Projection(cfName: "transverse_mercator", projName: "tmerc", parameters: [
            ("longitude_of_central_meridian", "lon_0"), ("latitude_of_projection_origin", "lat_0"),
            ("scale_factor_at_central_meridian", "k_0"), ("false_easting", "x_0"), ("false_northing", "y_0")]),
        Projection(cfName: "lambert_conformal_conic", projName: "lcc", parameters: [
            ("longitude_of_central_meridian", "lon_0"), ("latitude_of_projection_origin", "lat_0"),
            ("standard_parallel", "lat_1"), ("standard_parallel", "lat_2"),
            ("false_easting", "x_0"), ("false_northing", "y_0")]),
        Projection(cfName: "albers_conical_equal_area", projName: "aea", parameters: [
            ("longitude_of_central_meridian", "lon_0"), ("latitude_of_projection_origin", "lat_0"),
            ("standard_parallel", "lat_1"), ("standard_parallel", "lat_2"),
            ("false_easting", "x_0"), ("false_northing", "y_0")]),
        Projection(cfName: "polar_stereographic", projName: "stere", parameters: [
            ("straight_vertical_longitude_from_pole", "lon_0"), ("latitude_of_projection_origin", "lat_0"),
            ("standard_parallel", "lat_ts"), ("scale_factor_at_projection_origin", "k_0"),
            ("false_easting", "x_0"), ("false_northing", "y_0")]),
        Projection(cfName: "mercator", projName: "merc", parameters: [
            ("longitude_of_projection_origin", "lon_0"), ("standard_parallel", "lat_ts"),
            ("scale_factor_at_projection_origin", "k_0"), ("false_easting", "x_0"), ("false_northing", "y_0")]),
        Projection(cfName: "sinusoidal", projName: "sinu", parameters: [
            ("longitude_of_central_meridian", "lon_0"), ("false_easting", "x_0"), ("false_northing", "y_0")]),
        Projection(cfName: "orthographic", projName: "ortho", parameters: [
            ("longitude_of_projection_origin", "lon_0"), ("latitude_of_projection_origin", "lat_0"),
            ("false_easting", "x_0"), ("false_northing", "y_0")]),
    ]

    /// Builds a PROJ string from CF grid-mapping attributes.
    /// - Returns: `nil` when `grid_mapping_name` is missing or not in `projections`.
    public static func projString(from attributes: [Attribute]) -> String? {
        guard let name = attributes[named: "grid_mapping_name"]?.text,
            let projection = projections.first(where: { $0.cfName == name })
        else { return nil }
        var parts = ["+proj=\(projection.projName)"]
        var usedCF: [String: Int] = [:]
        for (cf, proj) in projection.parameters {
            let index = usedCF[cf, default: 0]
            usedCF[cf] = index + 1
            if let values = attributes[named: cf]?.numbers, index < values.count {
                parts.append("+\(proj)=\(values[index])")
            }
        }
        if let a = attributes[named: "semi_major_axis"]?.number {
            parts.append("+a=\(a)")
            if let b = attributes[named: "semi_minor_axis"]?.number {
                parts.append("+b=\(b)")
            } else if let rf = attributes[named: "inverse_flattening"]?.number, rf != 0 {
                parts.append("+rf=\(rf)")
            } else {
                parts.append("+b=\(a)")
            }
        } else if let r = attributes[named: "earth_radius"]?.number {
            parts.append("+R=\(r)")
        } else {
            parts.append("+datum=WGS84")
        }
        parts += ["+units=m", "+no_defs", "+type=crs"]
        if projection.projName == "longlat" { parts.removeAll { $0 == "+units=m" } }
        return parts.joined(separator: " ")
    }
}
