public import CubeCore

extension CRSDescription {
    /// The CF grid-mapping attributes of this CRS (CF-1.10 Appendix F) as (name, value) pairs:
    /// `grid_mapping_name` and its parameters when the projection is one CF names, the ellipsoid,
    /// then `crs_wkt` and `spatial_ref` (always).
    public var cfAttributes: [Attribute] {
        var attributes: [Attribute] = []
        let parameters = projParameters
        if let projection = cfProjection(parameters) {
            attributes.append(Attribute("grid_mapping_name", .text(projection.name)))
            for (key, value) in projection.parameters { attributes.append(Attribute(key, value)) }
        }
        if let ellipsoid {
            attributes.append(Attribute("semi_major_axis", .reals([ellipsoid.semiMajorAxis])))
            attributes.append(Attribute("inverse_flattening", .reals([ellipsoid.inverseFlattening])))
        }
        attributes.append(Attribute("crs_wkt", .text(wkt2)))
        attributes.append(Attribute("spatial_ref", .text(wkt1)))
        return attributes
    }

    /// `+key=value` pairs of the PROJ string.
    private var projParameters: [String: String] {
        var result: [String: String] = [:]
        for token in (projString ?? "").split(separator: " ") where token.hasPrefix("+") {
            let pair = token.dropFirst().split(separator: "=", maxSplits: 1)
            result[String(pair[0])] = pair.count > 1 ? String(pair[1]) : ""
        }
        return result
    }

    private func cfProjection(_ p: [String: String]) -> (name: String, parameters: [(String, AttributeValue)])? {
        guard var proj = p["proj"] else { return nil }
        var p = p
        if proj == "utm", let zone = p["zone"].flatMap(Double.init) {
            proj = "tmerc"
            p["lon_0"] = String(-183 + 6 * zone)
            p["lat_0"] = "0"
            p["k_0"] = "0.9996"
            p["x_0"] = "500000"
            p["y_0"] = p["south"] != nil ? "10000000" : "0"
        }
        if p["k_0"] == nil, let k = p["k"] { p["k_0"] = k }
        if proj == "stere", let lat0 = p["lat_0"].flatMap(Double.init), abs(lat0) != 90 { return nil }
        guard let projection = CFGridMapping.projections.first(where: { $0.projName == proj }) else { return nil }
        var parameters: [(String, AttributeValue)] = []
        var standardParallels: [Double] = []
        for (cf, key) in projection.parameters {
            let value = p[key].flatMap(Double.init) ?? (key == "k_0" ? 1 : 0)
            if cf == "standard_parallel" {
                if p[key] != nil { standardParallels.append(value) }
                continue
            }
            if !parameters.contains(where: { $0.0 == cf }) { parameters.append((cf, .reals([value]))) }
        }
        if !standardParallels.isEmpty { parameters.append(("standard_parallel", .reals(standardParallels))) }
        return (projection.cfName, parameters)
    }
}
