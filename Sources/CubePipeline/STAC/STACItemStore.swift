import CubeCore
import Foundation

/// The data store of one `store: stac` source: its "files" are the items a search found (by
/// item URL), each read as the union of its assets (one variable per asset), every asset through
/// the format store its media type or extension picked and the source's `SourceInputs` (ranged
/// or cached reads of remote objects, local files as they are).
///
/// The assets it reads of one item share a grid (a source whose assets lie on different grids is
/// planned as one such store per grid, see `STACAssetGroups`); items may differ (tiles of a mosaic).
struct STACItemStore: DataStore {
    /// The planned items, by location.
    var items: [String: CataloguedItem]
    /// How the assets are read (remote objects by URL, Zarr datasets in place).
    var assets: SourceInputs
    /// Format stores by name.
    var stores: DataStoreRegistry

    func describe(path: String) async throws -> DatasetDescriptor {
        guard let item = items[path] else { throw unknown(path) }
        var parts: [DatasetDescriptor] = []
        for asset in item.assets {
            var descriptor = try await assets.describe(asset.href, with: try formatStore(asset.store, item: item))
            descriptor.location = asset.href
            parts.append(descriptor)
        }
        return try Self.merged(item, parts)
    }

    /// Opens every asset once; the item's descriptor is merged from the opened readers' own
    /// descriptors (describing the assets again would cost each a second HEAD and header read).
    func open(path: String) async throws -> any DatasetReader {
        guard let item = items[path] else { throw unknown(path) }
        var readers: [String: (reader: any DatasetReader, name: String)] = [:]
        var parts: [DatasetDescriptor] = []
        for asset in item.assets {
            let store = try formatStore(asset.store, item: item)
            let reader = try await assets.open(asset.href, with: store)
            var descriptor = reader.descriptor
            descriptor.location = asset.href
            parts.append(descriptor)
            readers[asset.variable] = (reader, try Self.variable(in: reader.descriptor, for: asset, item: item).name)
        }
        return STACItemReader(descriptor: try Self.merged(item, parts), readers: readers)
    }

    /// The item as one dataset: the first asset's grid and time, one variable per asset (renamed
    /// to the recipe's source name).
    /// - Throws: `CubeError` naming the item when its assets differ in grid or in having a time axis.
    static func merged(_ item: CataloguedItem, _ parts: [DatasetDescriptor]) throws -> DatasetDescriptor {
        var variables: [VariableDescriptor] = []
        for (asset, descriptor) in zip(item.assets, parts) {
            var variable = try Self.variable(in: descriptor, for: asset, item: item)
            variable.name = asset.variable
            if parts[0].grid != descriptor.grid {
                throw CubeError(.unsupported,
                    "item '\(item.id)': assets '\(item.assets[0].key)' and '\(asset.key)' have different grids (\(parts[0].grid.width) × \(parts[0].grid.height) and \(descriptor.grid.width) × \(descriptor.grid.height)), unlike in the source's first item, which decides how its assets are grouped by grid; put these variables in sources of their own",
                    context: ["url": item.location])
            }
            if parts[0].timeDimension != descriptor.timeDimension {
                throw CubeError(.invalidInput, "item '\(item.id)': assets '\(item.assets[0].key)' and '\(asset.key)' differ in having a time axis",
                                context: ["url": item.location])
            }
            variables.append(variable)
        }
        var merged = parts[0]
        merged.location = item.location
        merged.variables = variables
        merged.format = "STAC item \(item.id): " + Set(item.assets.map(\.store)).sorted().joined(separator: ", ")
        // Overviews are read per asset; the merged item offers them only when every asset has the same ones.
        if !parts.allSatisfy({ $0.overviews == merged.overviews }) { merged.overviews = [] }
        return merged
    }

    /// The variable of an asset's dataset that gives `asset.variable`: one of that name, else
    /// the only (or first band) variable of a single-band file.
    static func variable(in descriptor: DatasetDescriptor, for asset: CataloguedItem.Asset, item: CataloguedItem) throws -> VariableDescriptor {
        if let named = descriptor.variable(asset.variable) { return named }
        if descriptor.variables.count == 1 { return descriptor.variables[0] }
        if let band = descriptor.variable("band_1"), descriptor.variables.allSatisfy({ $0.name.hasPrefix("band_") }) { return band }
        throw CubeError(.invalidInput,
            "item '\(item.id)' asset '\(asset.key)' (\(asset.href)) has no variable '\(asset.variable)' and several others (\(descriptor.variables.map(\.name).joined(separator: ", "))); name the asset after one of them",
            context: ["url": asset.href])
    }

    private func formatStore(_ name: String, item: CataloguedItem) throws -> any DataStore {
        guard let store = stores.store(name), !(store is STACItemStore) else {
            throw CubeError(.invalidInput, "item '\(item.id)': no data store '\(name)' to read its assets", context: ["url": item.location])
        }
        return store
    }

    private func unknown(_ path: String) -> CubeError {
        CubeError(.invalidInput, "'\(path)' is not an item of this source's STAC search (store: stac reads only the items its search finds)",
                  context: ["url": path])
    }
}

/// Reads the variables of one STAC item, each from the reader of its asset.
struct STACItemReader: MultiResolutionReader {
    let descriptor: DatasetDescriptor
    /// Recipe source variable → the asset's reader and the variable's name in it.
    let readers: [String: (reader: any DatasetReader, name: String)]

    func read(_ variable: String, timeIndex: Int, window: PixelWindow) async throws -> [Float] {
        let target = try part(variable)
        return try await target.reader.read(target.name, timeIndex: timeIndex, window: window)
    }

    func read(_ variable: String, timeIndex: Int, window: PixelWindow, overview: Int) async throws -> [Float] {
        let target = try part(variable)
        guard overview > 0 else { return try await target.reader.read(target.name, timeIndex: timeIndex, window: window) }
        guard let leveled = target.reader as? any MultiResolutionReader else {
            throw CubeError(.internalInconsistency, "'\(target.reader.descriptor.location)': its reader has no overviews")
        }
        return try await leveled.read(target.name, timeIndex: timeIndex, window: window, overview: overview)
    }

    private func part(_ variable: String) throws -> (reader: any DatasetReader, name: String) {
        guard let part = readers[variable] else {
            throw CubeError(.internalInconsistency, "STAC item '\(descriptor.location)' has no asset for variable '\(variable)'")
        }
        return part
    }
}
