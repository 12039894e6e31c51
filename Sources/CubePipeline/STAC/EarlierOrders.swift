import CubeCatalog
import CubeCore
import CubeRecipe
import CubeStorage
import Zarr

/// The orders an earlier run of the same recipe placed (DestinE HDA): each placeholder item's URL
/// → the URL of the item its order made, as the published cube's `lineage.json` recorded them
/// (`recipe.normalized.sources[].stac.search.orders`). A re-run polls those items instead of
/// ordering the same data again.
enum EarlierOrders {
    /// The orders recorded for source `source` by the cube at the recipe's `output.path`; empty when
    /// there is no published cube or no record, or it cannot be read (the items are then ordered
    /// as on a first run: nothing is lost but the wait).
    static func load(recipe: Recipe, source: String, registries: Registries) async -> [String: String] {
        guard let target = try? OutputTargets.make(path: recipe.output.path, options: StorageOptions(recipe.output.storageOptions),
                                                   registry: registries.storage),
              let published = try? await target.published(),
              let bytes = try? await published.get(StoreKey(CatalogLayout.lineageKey)),
              let lineage = try? JSONValue.parse(bytes)
        else { return [:] }
        let sources = lineage["recipe"]?["normalized"]?["sources"]?.arrayValue ?? []
        guard let entry = sources.first(where: { $0["name"]?.stringValue == source }),
              let orders = entry["stac"]?["search"]?["orders"]?.objectMembers
        else { return [:] }
        var result: [String: String] = [:]
        for (placeholder, ordered) in orders {
            if let url = ordered.stringValue { result[placeholder] = url }
        }
        return result
    }
}
