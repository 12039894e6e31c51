import Foundation
import Zarr

/// CF essentials and NetCDF exportability: `Conventions`, units on coordinates, a grid mapping
/// that exists, dimension names on every array, one fill value, and attributes that xarray's
/// `to_netcdf` accepts (strings, numbers, flat lists of numbers; no objects, no booleans).
struct CFConventionCheck {
    let cube: CubeSnapshot

    func run(into problems: inout [VerificationProblem]) async {
        func error(_ message: String) { problems.append(VerificationProblem(.error, .cf, message)) }
        func warning(_ message: String) { problems.append(VerificationProblem(.warning, .cf, message)) }
        if !(cube.attributes["Conventions"]?.stringValue ?? "").contains("CF-") {
            error("global attribute 'Conventions' does not name a CF version (e.g. 'CF-1.10')")
        }
        checkExportable(cube.attributes, owner: "the global attributes", error, warning)
        let xcube = XcubeConventionCheck(cube: cube)
        for node in cube.arrays.values.sorted(by: { $0.name < $1.name }) {
            let dimensionsKey = cube.format == .v3 ? "dimension_names" : "_ARRAY_DIMENSIONS"
            guard let dims = node.dimensions else {
                error("array '\(node.name)' has no \(dimensionsKey): xarray cannot open it")
                continue
            }
            if let shape = node.metadata?.shape, shape.count != dims.count {
                error("array '\(node.name)': \(dimensionsKey) names \(dims.count) dimension(s) for \(shape.count) axes")
            }
            checkExportable(node.attributes, owner: "variable '\(node.name)'", error, warning)
            if cube.format == .v2, node.attributes["_FillValue"] != nil, node.metadata?.fillValue != ZarrFillValue.none {
                warning("array '\(node.name)' has both a .zarray fill_value and a _FillValue attribute")
            }
        }
        if cube.format == .v3 {
            for node in cube.dataVariables { checkV3FillValue(node, error) }
        }
        var coordinates: [String] = []
        if let xy = xcube.spatialNames { coordinates += [xy.x, xy.y] }
        if let time = xcube.timeName { coordinates.append(time) }
        for name in coordinates where cube.arrays[name]?.attributes["units"]?.stringValue == nil {
            error("coordinate variable '\(name)' has no 'units' attribute")
        }
        if let xy = xcube.spatialNames, xcube.isGeographic(xy) {
            for (name, expected) in [(xy.x, "degrees_east"), (xy.y, "degrees_north")] {
                if let units = cube.arrays[name]?.attributes["units"]?.stringValue, units != expected {
                    warning("coordinate variable '\(name)' has units '\(units)', CF expects '\(expected)'")
                }
            }
        }
        for node in cube.dataVariables {
            if let mapping = node.attributes["grid_mapping"]?.stringValue {
                if let target = cube.arrays[mapping] {
                    if target.attributes["grid_mapping_name"] == nil && target.attributes["crs_wkt"] == nil {
                        error("grid mapping '\(mapping)' of variable '\(node.name)' has neither grid_mapping_name nor crs_wkt")
                    }
                } else {
                    error("variable '\(node.name)' names grid_mapping '\(mapping)', which does not exist")
                }
            }
            if node.attributes["units"] == nil { warning("data variable '\(node.name)' has no 'units' attribute") }
        }
    }

    /// In v3, xarray masks only with a CF `_FillValue` attribute (base64 of the little-endian
    /// float64 for floats, a plain integer otherwise) that must agree with `fill_value`.
    private func checkV3FillValue(_ node: CubeSnapshot.ArrayNode, _ error: (String) -> Void) {
        guard let spec = node.metadata else { return }
        guard let attribute = node.document["attributes"]?["_FillValue"] else {
            error("data variable '\(node.name)' has no _FillValue attribute: xarray does not mask its fill value in Zarr v3")
            return
        }
        let fill = spec.fillValue.doubleValue
        let stated: Double?
        if spec.dataType.isFloatingPoint {
            stated = attribute.stringValue.flatMap { Data(base64Encoded: $0) }.flatMap { data in
                data.count == 8 ? Double(bitPattern: UInt64(littleEndian: data.withUnsafeBytes { $0.loadUnaligned(as: UInt64.self) })) : nil
            }
        } else {
            stated = attribute.intValue.map(Double.init)
        }
        guard let stated else {
            error("data variable '\(node.name)': _FillValue \(attribute.serialized(indent: 0)) is not "
                + (spec.dataType.isFloatingPoint ? "the base64 of a little-endian float64, as xarray reads it in Zarr v3" : "an integer"))
            return
        }
        if !(stated == fill || (stated.isNaN && fill.isNaN)) {
            error("data variable '\(node.name)': _FillValue \(stated) differs from zarr.json fill_value \(fill)")
        }
    }

    /// xarray's `to_netcdf` accepts strings, numbers and flat lists of numbers or strings.
    private func checkExportable(_ attributes: JSONValue, owner: String, _ error: (String) -> Void, _ warning: (String) -> Void) {
        for (name, value) in attributes.objectMembers ?? [] where name != "_ARRAY_DIMENSIONS" {
            switch value {
            case .object where name == "_CRS":
                warning("attribute '_CRS' of \(owner) is GDAL's CRS object (output.gdal_crs): drop it before xarray's to_netcdf")
            case .object:
                error("attribute '\(name)' of \(owner) is a JSON object: xarray's to_netcdf refuses it")
            case .bool:
                error("attribute '\(name)' of \(owner) is a boolean: NetCDF has no boolean attributes")
            case .null:
                error("attribute '\(name)' of \(owner) is null")
            case let .array(elements):
                let numbers = elements.allSatisfy { $0.doubleValue != nil }
                let strings = elements.allSatisfy { $0.stringValue != nil }
                if !(numbers || strings) {
                    error("attribute '\(name)' of \(owner) is a list of mixed or nested values: xarray's to_netcdf refuses it")
                }
            default:
                break
            }
        }
    }
}
