import CubeCore
import CubeStorage
import Zarr

/// One Zarr group interpreted with the CF conventions: its descriptor and the arrays behind it.
struct ZarrGroupDescription: Sendable {
    /// What the planner sees.
    var descriptor: DatasetDescriptor
    /// The readable arrays, by name.
    var variables: [String: ZarrVariable]

    /// Reads the group at the root of `storage`: its metadata (consolidated, else listed), then the
    /// values of its x, y and time coordinates (for a HEALPix group, of its index and time).
    /// - Throws: `CubeError` naming `location`: not a Zarr group, an array of two or more
    ///   dimensions with an unknown codec or without dimension names, no CF axes.
    static func load(_ storage: any ReadableStorage, location: String) async throws -> ZarrGroupDescription {
        guard let group = try await ZarrGroupMetadata.load(storage: storage) else {
            throw CubeError(.invalidInput, "'\(location)' is not a Zarr store (no zarr.json, .zmetadata or .zgroup at its root)",
                            context: ["file": location])
        }
        var variables: [ZarrVariable] = []
        for node in group.arrays {
            do {
                variables.append(try ZarrVariable(node, location: location))
            } catch {
                // Text labels and other 0-/1-D arrays CubeGen cannot read are not gridded data: skip them.
                let rank = node.document["shape"]?.arrayValue?.count ?? 0
                if rank >= 2 { throw error }
            }
        }
        let healpix = try CFHEALPixGrid.find(in: variables, path: location)
        let axes = healpix == nil ? try CFAxes(variables: variables, path: location) : nil
        var values: [String: [Double]] = [:]
        for coordinate in healpix?.coordinateVariables ?? axes.map(CFDatasetDescription.coordinateVariables) ?? [] {
            do {
                let reader = try ZarrArrayReader(storage: storage, spec: coordinate.spec, format: coordinate.format)
                values[coordinate.name] = try await reader.allValues()
            } catch {
                throw ZarrStoreErrors.wrap(error, location: location, array: coordinate.name)
            }
        }
        // The 1-D coordinates of the other dimensions of arrays of two or more dimensions, so the
        // description knows their levels and members.
        let otherDimensions = Set(variables.filter { $0.spec.shape.count >= 2 }.flatMap(\.dimensions)).subtracting(values.keys)
        for name in otherDimensions.sorted() {
            guard let coordinate = variables.first(where: { $0.name == name && $0.dimensions == [name] }) else { continue }
            do {
                let reader = try ZarrArrayReader(storage: storage, spec: coordinate.spec, format: coordinate.format)
                values[name] = try await reader.allValues()
            } catch {
                throw ZarrStoreErrors.wrap(error, location: location, array: name)
            }
        }
        let attributes = ZarrAttributes.of(group: group.attributes)
        var descriptor = try healpix.map {
            try CFDatasetDescription.describe(location: location, variables: variables, attributes: attributes, healpix: $0) { values[$0.name] ?? [] }
        } ?? CFDatasetDescription.describe(location: location, variables: variables, attributes: attributes, axes: axes!) {
            values[$0.name] ?? []
        }
        let byName = Dictionary(variables.map { ($0.name, $0) }, uniquingKeysWith: { first, _ in first })
        for k in descriptor.variables.indices {
            guard let array = byName[descriptor.variables[k].name] else { continue }
            descriptor.variables[k].layout = VariableLayout(chunks: array.spec.chunks, shards: array.spec.shards, codecs: array.codecSummary)
        }
        descriptor.format = "Zarr \(group.format == .v2 ? "v2" : "v3"), \(group.consolidated ? "consolidated" : "not consolidated")"
        return ZarrGroupDescription(descriptor: descriptor, variables: byName)
    }
}
