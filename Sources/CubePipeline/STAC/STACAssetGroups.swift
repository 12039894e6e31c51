import CubeCore
import CubeRecipe

/// The assets of a `store: stac` source grouped by grid. Assets of one item may lie on different
/// grids (Sentinel-2's 10 m B04 beside its 20 m B11, or another CRS): each group is planned as a
/// source of its own (the same items, only that group's assets and variables), so every variable
/// is resampled from its own asset's grid. The groups are found on the first item; an item whose
/// assets group differently is refused by `STACItemStore` naming it.
enum STACAssetGroups {
    /// One group: the source's section reduced to the group's assets and variables, and the items
    /// with only those assets.
    struct Group: Sendable {
        var section: SourceSection
        var items: [CataloguedItem]
    }

    /// The groups of `items` (sorted as planned): one holding everything when the source reads one
    /// asset or the first item's assets share a grid; else one per grid, in asset-key order of
    /// each grid's first asset.
    /// - Throws: `CubeError` naming the asset when it cannot be described.
    static func byGrid(_ items: [CataloguedItem], section: SourceSection, inputs: SourceInputs,
                       stores: DataStoreRegistry) async throws -> [Group] {
        let whole = [Group(section: section, items: items)]
        guard let first = items.first, first.assets.count > 1, let stac = section.stac else { return whole }
        var grids: [(grid: SourceGrid, keys: Set<String>)] = []
        for asset in first.assets {
            // An unknown store is reported, naming the item, when the item is described.
            guard let store = stores.store(asset.store) else { return whole }
            let grid = try await inputs.describe(asset.href, with: store).grid
            if let index = grids.firstIndex(where: { $0.grid == grid }) {
                grids[index].keys.insert(asset.key)
            } else {
                grids.append((grid, [asset.key]))
            }
        }
        guard grids.count > 1 else { return whole }
        return grids.map { group in
            var part = section
            part.stac = stac
            part.stac?.assets = stac.assets.filter { group.keys.contains($0.key) }
            let names = Set(stac.assets.filter { group.keys.contains($0.key) }.values)
            part.variables = section.variables.filter { names.contains($0.sourceName) }
            let reduced = items.map { item in
                var item = item
                item.assets = item.assets.filter { group.keys.contains($0.key) }
                return item
            }
            return Group(section: part, items: reduced)
        }
    }
}
