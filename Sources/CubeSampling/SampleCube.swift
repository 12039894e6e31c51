import CubeCore
import CubeCrypto
import CubeStorage
import Foundation
import Zarr

/// A cube opened for sampling: the arrays of the variables asked for (all `(time, y, x)` of one
/// shape), their CF decoding, the coordinates, the CRS and what identifies the cube. Local folders
/// and any URL the storage registry opens (`s3://`, `https://`).
struct SampleCube: Sendable {
    /// The cube as given, for messages.
    let location: String
    /// The shape (time, y, x).
    let shape: SamplingShape
    /// The dimension names (time, y, x).
    let dimensions: [String]
    /// The arrays, by variable name.
    let arrays: [String: SampleArray]
    /// The coordinate values.
    let time: [Double], y: [Double], x: [Double]
    /// The time coordinate's units, when it has CF units.
    let timeUnits: CFTimeUnits?
    /// `EPSG:NNNN` when the grid mapping names one, else the grid mapping's WKT (or `nil`).
    let crs: String?
    /// The cube's `id` attribute (or its location).
    let id: String
    /// SHA-256 of the cube's `chunks.sha256` (or of its consolidated metadata): which bytes were sampled.
    let digest: String
    /// The recipe hash the cube records (`cubegen_recipe_sha256`), if any.
    let recipeSHA256: String?

    /// Opens `location` and the arrays of `variables`.
    /// - Throws: `CubeError` naming the cube and variable: not a Zarr cube, a variable it does not
    ///   hold (listing those it does), a variable that is not `(time, y, x)` or of another shape.
    static func open(_ location: String, storage: any ReadableStorage, variables: [String]) async throws -> SampleCube {
        let root: JSONValue
        let format: ZarrFormat
        if let bytes = try await storage.get(StoreKey(".zmetadata")) {
            root = try parse(bytes, location, ".zmetadata")
            format = .v2
        } else if let bytes = try await storage.get(StoreKey("zarr.json")) {
            root = try parse(bytes, location, "zarr.json")
            format = .v3
        } else {
            throw CubeError(.invalidInput, "'\(location)' is not a Zarr cube with consolidated metadata (no .zmetadata or zarr.json)",
                            context: ["path": location])
        }
        let names = arrayNames(root, format: format)
        var arrays: [String: SampleArray] = [:]
        for name in variables where arrays[name] == nil {
            guard names.contains(name) else {
                throw CubeError(.invalidInput, "variable '\(name)' is not in the cube '\(location)' (it holds: \(names.sorted().joined(separator: ", ")))",
                                context: ["path": location, "variable": name])
            }
            arrays[name] = try await SampleArray(storage: storage, name: name, location: location)
        }
        guard let first = variables.first, let reference = arrays[first] else {
            throw CubeError(.invalidRecipe, "ml.inputs: name at least one variable")
        }
        for name in variables where arrays[name]!.spec.shape != reference.spec.shape || arrays[name]!.spec.dimensionNames != reference.spec.dimensionNames {
            throw CubeError(.invalidInput,
                "variable '\(name)' of '\(location)' has dimensions \(arrays[name]!.spec.dimensionNames) \(arrays[name]!.spec.shape), "
                + "'\(first)' has \(reference.spec.dimensionNames) \(reference.spec.shape): sampled variables must share one grid",
                context: ["path": location, "variable": name])
        }
        let dims = reference.spec.dimensionNames
        let shape = SamplingShape(time: reference.spec.shape[0], y: reference.spec.shape[1], x: reference.spec.shape[2])
        func coordinate(_ name: String, count: Int) async throws -> (values: [Double], attributes: JSONValue) {
            guard names.contains(name), let reader = try? await ZarrArrayReader(storage: storage, name: name) else {
                return ((0..<count).map(Double.init), .object([]))
            }
            return (try await reader.allValues(), reader.spec.attributes)
        }
        let (time, timeAttributes) = try await coordinate(dims[0], count: shape.time)
        let (y, _) = try await coordinate(dims[1], count: shape.y)
        let (x, _) = try await coordinate(dims[2], count: shape.x)
        let calendar = timeAttributes["calendar"]?.stringValue.flatMap(CFCalendar.init(cfName:)) ?? .standard
        let timeUnits = timeAttributes["units"]?.stringValue.flatMap { try? CFTimeUnits(parsing: $0, calendar: calendar) }
        var crs: String?
        if let mapping = reference.spec.attributes["grid_mapping"]?.stringValue, names.contains(mapping),
           let reader = try? await ZarrArrayReader(storage: storage, name: mapping) {
            let wkt = reader.spec.attributes["crs_wkt"]?.stringValue ?? reader.spec.attributes["spatial_ref"]?.stringValue
            crs = wkt.map { epsg(in: $0) ?? $0 }
        }
        let attributes = format == .v2 ? root["metadata"]?[".zattrs"] : root["attributes"]
        let checksums = try await storage.get(StoreKey("chunks.sha256"))
        let digest = SHA256.hex(checksums ?? Array(root.serialized().utf8))
        return SampleCube(location: location, shape: shape, dimensions: dims, arrays: arrays, time: time, y: y, x: x, timeUnits: timeUnits,
                          crs: crs, id: attributes?["id"]?.stringValue ?? location, digest: digest,
                          recipeSHA256: attributes?["cubegen_recipe_sha256"]?.stringValue)
    }

    private static func parse(_ bytes: [UInt8], _ location: String, _ key: String) throws -> JSONValue {
        do {
            return try JSONValue.parse(bytes)
        } catch {
            throw CubeError(.invalidInput, "'\(location)/\(key)' is not valid JSON: \(error)", context: ["path": location])
        }
    }

    /// The arrays the consolidated metadata names.
    private static func arrayNames(_ root: JSONValue, format: ZarrFormat) -> Set<String> {
        switch format {
        case .v2:
            let keys = root["metadata"]?.objectMembers?.map(\.0) ?? []
            return Set(keys.filter { $0.hasSuffix("/.zarray") }.map { String($0.dropLast("/.zarray".count)) })
        case .v3:
            let members = root["consolidated_metadata"]?["metadata"]?.objectMembers ?? []
            return Set(members.filter { $0.1["node_type"]?.stringValue == "array" }.map(\.0))
        }
    }

    /// `EPSG:3035` from a WKT whose outermost identifier is an EPSG code.
    static func epsg(in wkt: String) -> String? {
        for marker in ["ID[\"EPSG\",", "AUTHORITY[\"EPSG\",\""] {
            guard let range = wkt.range(of: marker, options: .backwards) else { continue }
            let digits = wkt[range.upperBound...].prefix { $0.isNumber }
            if !digits.isEmpty { return "EPSG:\(digits)" }
        }
        return nil
    }
}

/// A size along time, y and x.
struct SamplingShape: Sendable, Hashable {
    var time: Int
    var y: Int
    var x: Int
}

/// One sampled array: its reader and how its stored values become physical ones (fill and
/// missing values → NaN, then `scale_factor` and `add_offset`).
struct SampleArray: Sendable {
    let reader: ZarrArrayReader
    let location: String
    private let fill: Double?
    private let missing: Double?
    private let scale: Double
    private let offset: Double

    var spec: ZarrArraySpec { reader.spec }

    init(storage: any ReadableStorage, name: String, location: String) async throws {
        do {
            reader = try await ZarrArrayReader(storage: storage, name: name)
        } catch {
            throw CubeError(.invalidInput, "cannot open variable '\(name)' of '\(location)': \(error)", context: ["path": location, "variable": name])
        }
        self.location = location
        let spec = reader.spec
        guard spec.shape.count == 3 else {
            throw CubeError(.invalidInput,
                "variable '\(name)' of '\(location)' has dimensions \(spec.dimensionNames); sampling needs (time, y, x)",
                context: ["path": location, "variable": name])
        }
        let attributes = spec.attributes
        let stored = spec.fillValue
        switch stored {
        case .none, .nan: fill = attributes["_FillValue"]?.doubleValue
        default: fill = stored.doubleValue
        }
        missing = attributes["missing_value"]?.doubleValue
        scale = attributes["scale_factor"]?.doubleValue ?? 1
        offset = attributes["add_offset"]?.doubleValue ?? 0
    }

    /// Chunk `indices` as physical values (a chunk not stored is all NaN).
    func chunk(_ indices: [Int]) async throws -> [Float] {
        let count = spec.chunks.reduce(1, *)
        let raw: [UInt8]?
        do {
            raw = try await reader.chunk(indices)
        } catch {
            throw CubeError(.io, "cannot read chunk \(indices) of '\(spec.name)' in '\(location)': \(error)",
                            context: ["path": location, "variable": spec.name])
        }
        guard let raw else { return [Float](repeating: .nan, count: count) }
        if spec.dataType == .float32 && scale == 1 && offset == 0 && raw.count == count * 4 {
            // The common case (CubeGen's float32 variables): the stored values as they are, fill → NaN.
            var out = raw.withUnsafeBytes { Array($0.bindMemory(to: Float.self)) }
            if let marker = fill ?? missing, !marker.isNaN {
                let f = Float(marker), m = Float(missing ?? marker)
                for k in out.indices where out[k] == f || out[k] == m { out[k] = .nan }
            }
            return out
        }
        let values = spec.dataType.doubles(raw)
        var out = [Float](repeating: .nan, count: count)
        for k in 0..<min(count, values.count) {
            let v = values[k]
            if v.isNaN || v == fill || v == missing { continue }
            out[k] = Float(v * scale + offset)
        }
        return out
    }
}
