/// The key-value-pair (KVP) encoding of WMTS 1.0.0 requests at `/wmts/kvp` (OGC 07-057r7 §7.2.2,
/// §8.2.2): `SERVICE=WMTS&REQUEST=GetCapabilities`, or `REQUEST=GetTile` with `LAYER` (`ds.var`),
/// `TILEMATRIXSET` (WebMercatorQuad, the default, or WorldCRS84Quad), `TILEMATRIX`, `TILEROW`, `TILECOL`, optionally `FORMAT`
/// (image/png), `STYLE` and the `TIME` dimension. Parameter names are case-insensitive.
struct WMTSKeyValues {
    /// What a KVP request asks for.
    enum Operation: Equatable {
        case capabilities
        case tile(dataset: String, variable: String, set: TileMatrix, z: Int, y: Int, x: Int, time: String?)
    }

    private let values: [String: String]

    /// The parameters of a query string, names folded to lower case (the first of repeated ones).
    init(_ pairs: [(String, String)]) {
        var values: [String: String] = [:]
        for (key, value) in pairs where values[key.lowercased()] == nil { values[key.lowercased()] = value }
        self.values = values
    }

    /// The operation asked for.
    /// - Throws: `ServeError` 400 naming the missing or wrong parameter.
    func operation() throws -> Operation {
        guard values["service"]?.uppercased() == "WMTS" else { throw ServeError.badRequest("SERVICE must be WMTS") }
        if let version = values["version"], version != "1.0.0" { throw ServeError.badRequest("VERSION '\(version)' is not 1.0.0") }
        switch values["request"] {
        case "GetCapabilities"?:
            return .capabilities
        case "GetTile"?:
            guard let layer = values["layer"], let dot = layer.lastIndex(of: "."), dot != layer.startIndex, dot != layer.index(before: layer.endIndex) else {
                throw ServeError.badRequest("LAYER '\(values["layer"] ?? "")' is not DATASET.VARIABLE")
            }
            if let format = values["format"], !["image/png", "png"].contains(format.lowercased()) {
                throw ServeError.badRequest("FORMAT '\(format)' is not image/png")
            }
            var matrixSet = TileMatrix.webMercator
            if let set = values["tilematrixset"] {
                guard let known = TileMatrix.wmts(set) else {
                    throw ServeError.badRequest("TILEMATRIXSET '\(set)' is not WebMercatorQuad or WorldCRS84Quad")
                }
                matrixSet = known
            }
            func integer(_ name: String) throws -> Int {
                guard let text = values[name] else { throw ServeError.badRequest("GetTile needs \(name.uppercased())") }
                guard let value = Int(text) else { throw ServeError.badRequest("\(name.uppercased()) '\(text)' is not a whole number") }
                return value
            }
            return .tile(dataset: String(layer[..<dot]), variable: String(layer[layer.index(after: dot)...]), set: matrixSet,
                         z: try integer("tilematrix"), y: try integer("tilerow"), x: try integer("tilecol"), time: values["time"])
        case let other:
            throw ServeError.badRequest("REQUEST '\(other ?? "")' is not GetCapabilities or GetTile")
        }
    }
}
