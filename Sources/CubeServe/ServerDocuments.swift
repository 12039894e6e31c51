import CubeCatalog
import CubeCore
import CubeProjection
import Foundation
import Zarr

/// The JSON documents of the xcube Server API that describe what is served: server info, the
/// dataset list (with `details=1`, the variables, dimensions and colour-bar defaults the Viewer
/// uses), the colour bars, and the (empty) places.
enum ServerDocuments {
    /// `GET /`.
    static func info(version: String) -> JSONValue {
        .object([("name", .string("cubegen serve")), ("description", .string("CubeGen's xcube-Server-compatible tile and time-series server")),
                 ("version", .string(version)), ("apis", .array(["datasets", "tiles", "timeseries", "statistics", "colorbars", "places"].map(JSONValue.string)))])
    }

    /// `GET /datasets[?details=1]`.
    static func datasets(_ cubes: [ServedCube], details: Bool) -> JSONValue {
        .object([("datasets", .array(cubes.map { dataset($0, details: details) }))])
    }

    /// One dataset: `id`, `title`, `bbox` (longitude/latitude), `spatialRef` (the cube's CRS) and,
    /// with `details`, `variables` and `dimensions`.
    static func dataset(_ cube: ServedCube, details: Bool) -> JSONValue {
        let descriptor = cube.descriptor
        func attribute(_ name: String) -> Double? { descriptor.attributes[named: name]?.numbers?.first }
        let title = descriptor.attributes[named: "title"]?.text ?? cube.id
        var members: [(String, JSONValue)] = [("id", .string(cube.id)), ("title", .string(title))]
        if let w = attribute("geospatial_lon_min"), let s = attribute("geospatial_lat_min"), let e = attribute("geospatial_lon_max"),
           let n = attribute("geospatial_lat_max") {
            members.append(("bbox", .array([w, s, e, n].map(JSONValue.double))))
        }
        let code = (try? CRSDescription(descriptor.grid.crs))?.epsgCode
        members.append(("spatialRef", .string(code.map { "EPSG:\($0)" } ?? descriptor.grid.crs.text)))
        guard details else { return .object(members) }
        let (xName, yName) = descriptor.spatialDimensions
        let timeName = descriptor.timeDimension ?? "time"
        members.append(("variables", .array(cube.variables.map { variable in
            let range = cube.colorRanges[variable.name] ?? (0, 1)
            var item: [(String, JSONValue)] = [
                ("id", .string("\(cube.id).\(variable.name)")), ("name", .string(variable.name)),
                ("dims", .array(variable.dimensions.map(JSONValue.string))), ("shape", .array(variable.shape.map { .int(Int64($0)) })),
                ("dtype", .string(!variable.packing.isIdentity || variable.dataType.isFloatingPoint ? "float32" : variable.dataType.rawValue)),
                ("units", .string(variable.attributes[named: "units"]?.text ?? "")),
                ("title", .string(variable.attributes[named: "long_name"]?.text ?? variable.name)),
                ("timeChunkSize", .int(Int64(variable.layout?.chunks.first ?? 1))),
                ("colorBarName", .string("viridis")), ("colorBarMin", .double(range.min)), ("colorBarMax", .double(range.max)),
                ("tileLevelMin", .int(Int64(cube.tileLevels.min))), ("tileLevelMax", .int(Int64(cube.tileLevels.max))),
            ]
            if let name = variable.attributes[named: "standard_name"]?.text { item.append(("standardName", .string(name))) }
            item.append(("colorBarNorm", .string("lin")))
            item.append(("attrs", attributes(variable.attributes)))
            return .object(item)
        })))
        // Members and levels (dimensions between time and y), each once.
        var layerDimensions: [JSONValue] = [], listed: Set<String> = []
        for variable in cube.variables {
            for (name, values) in cube.layerDimensions(variable) where listed.insert(name).inserted {
                layerDimensions.append(.object([("name", .string(name)), ("size", .int(Int64(values.count))), ("dtype", .string("float64")),
                                                ("coordinates", .array(values.map(JSONValue.double)))]))
            }
        }
        members.append(("dimensions", .array([
            .object([("name", .string(timeName)), ("size", .int(Int64(cube.times.count))), ("dtype", .string("datetime64[ns]")),
                     ("coordinates", .array(cube.times.map(JSONValue.string)))]),
        ] + layerDimensions + [
            .object([("name", .string(yName)), ("size", .int(Int64(descriptor.grid.height))), ("dtype", .string("float64")),
                     ("coordinates", .array(descriptor.grid.y.values.map(JSONValue.double)))]),
            .object([("name", .string(xName)), ("size", .int(Int64(descriptor.grid.width))), ("dtype", .string("float64")),
                     ("coordinates", .array(descriptor.grid.x.values.map(JSONValue.double)))]),
        ])))
        members.append(("attrs", attributes(descriptor.attributes)))
        if case let .array(box)? = members.first(where: { $0.0 == "bbox" })?.1, box.count == 4,
           let w = box[0].doubleValue, let s = box[1].doubleValue, let e = box[2].doubleValue, let n = box[3].doubleValue {
            let ring: [JSONValue] = [[w, s], [e, s], [e, n], [w, n], [w, s]].map { .array($0.map(JSONValue.double)) }
            members.append(("geometry", .object([("type", .string("Polygon")), ("coordinates", .array([.array(ring)]))])))
        }
        members.append(("resolutions", .array(cube.levels.map { .double($0.averageResolution) })))
        members.append(("spatialUnits", .string(descriptor.grid.isGeographic ? "degrees" : "meters")))
        return .object(members)
    }

    /// Attributes as xcube lists them (`attrs`): text as strings, one number as a number, several
    /// as an array (NaN as the string "NaN", as xcube writes it).
    static func attributes(_ attributes: [Attribute]) -> JSONValue {
        .object(attributes.compactMap { attribute in
            if let text = attribute.value.text { return (attribute.name, .string(text)) }
            guard let numbers = attribute.value.numbers else { return nil }
            let values = numbers.map { $0.isNaN ? JSONValue.string("NaN") : .double($0) }
            return (attribute.name, values.count == 1 ? values[0] : .array(values))
        })
    }

    /// `GET /colorbars`: xcube's shape, `[[group, description, [[name, base64 PNG], …]], …]`;
    /// each image is 256 × 1 pixels, low values left, as xcube's `get_cmap_png_base64` draws it
    /// (the Viewer stretches the one row; two rows showed as two ramps).
    static func colorbars() throws -> JSONValue {
        let bars: [JSONValue] = try ColorMap.names.map { name in
            let map = ColorMap.named(name)!
            var rgba = [UInt8](repeating: 255, count: 256 * 4)
            for i in 0..<256 {
                let color = map.color(Double(i) / 255)
                rgba[i * 4] = color.r
                rgba[i * 4 + 1] = color.g
                rgba[i * 4 + 2] = color.b
            }
            let png = try PNGEncoder.encode(rgba: rgba, width: 256, height: 1)
            return .array([.string(name), .string(Data(png).base64EncodedString())])
        }
        return .array([.array([.string("CubeGen"), .string("Colour maps of cubegen serve (viridis, plasma: sequential; Greys: white to black; RdBu: diverging)"), .array(bars)])])
    }

    /// `GET /places`: no place groups.
    static let places = JSONValue.object([("type", .string("FeatureCollection")), ("features", .array([])), ("placeGroups", .array([]))])
}
