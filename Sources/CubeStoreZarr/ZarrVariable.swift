import CubeCore
import Zarr

/// One array of a Zarr group as the CF conventions see it: name, dimensions, shape, type and
/// decoded attributes, with the spec it is read by.
struct ZarrVariable: CFVariableMetadata {
    var name: String
    var dataType: DataType?
    var dimensions: [String]
    var shape: [Int]
    var attributes: [Attribute]
    /// The array's spec (chunks, shards, codecs, fill).
    var spec: ZarrArraySpec
    /// The format it is stored in.
    var format: ZarrFormat

    /// Interprets an array's metadata.
    /// - Throws: `CubeError` naming `location` and the array: unknown codecs (by name), missing
    ///   dimension names, malformed metadata.
    init(_ node: ZarrNodeMetadata, location: String) throws {
        let unknown = node.unknownCodecs()
        if let codec = unknown.first {
            throw CubeError(.unsupported,
                "'\(location)': array '\(node.name)' uses codec '\(codec)', which CubeGen cannot decode "
                    + "(known: blosc, zstd, zlib, gzip, crc32c, sharding_indexed)",
                context: ["file": location, "variable": node.name])
        }
        let spec: ZarrArraySpec
        do {
            spec = try node.spec()
        } catch {
            throw CubeError(.invalidInput, "'\(location)': array '\(node.name)': \(error)", context: ["file": location, "variable": node.name])
        }
        guard node.hasDimensionNames || spec.shape.isEmpty else {
            throw CubeError(.invalidInput,
                "'\(location)': array '\(node.name)' has no dimension names (\(node.format == .v2 ? "_ARRAY_DIMENSIONS in .zattrs" : "dimension_names in zarr.json")); "
                    + "write it with xarray or add them",
                context: ["file": location, "variable": node.name])
        }
        name = node.name
        dataType = DataType(rawValue: spec.dataType.rawValue)
        dimensions = spec.dimensionNames
        shape = spec.shape
        attributes = ZarrAttributes.of(node, spec: spec)
        self.spec = spec
        format = node.format
    }

    /// The codecs as one line: `blosc(zstd, clevel 5, shuffle 1) + crc32c`, or `none`.
    var codecSummary: String {
        var parts: [String] = []
        if let compressor = spec.codecs.compressor {
            let id = compressor["id"]?.stringValue ?? "?"
            let settings = (compressor.objectMembers ?? []).filter { $0.0 != "id" }.map { "\($0.0) \($0.1.serialized(indent: 0))" }
            parts.append(settings.isEmpty ? id : "\(id)(\(settings.joined(separator: ", ")))")
        }
        if spec.codecs.checksum { parts.append("crc32c") }
        return parts.isEmpty ? "none" : parts.joined(separator: " + ")
    }
}
