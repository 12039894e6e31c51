import CubeCore
import CubeSTAC
import Foundation

/// What a `store: stac` source's search found: the items read (by location, the item URL, in
/// time order) and the request that found them, for the plan summary, the lineage and the
/// catalogue entry's `derived_from` links.
struct SearchedCatalogue: Sendable {
    /// The items, in time order.
    var items: [CataloguedItem]
    /// The search as it was sent.
    var record: STACSearchRecord
    /// The orders behind the items (DestinE HDA): each placeholder item's URL → the URL of the
    /// item its order made. Recorded in the lineage, so the next run polls them instead of
    /// ordering again (`EarlierOrders`).
    var orders: [String: String] = [:]

    /// The item at `location`, or `nil`.
    func item(at location: String) -> CataloguedItem? { items.first { $0.location == location } }
}

extension SearchedCatalogue {
    /// The `cubegen plan` lines of a STAC source: the request, the items and their dates, the
    /// assets read and their formats.
    func summaryLines(source: String) -> [String] {
        func line(_ key: String, _ value: String) -> String { key.padding(toLength: 12, withPad: " ", startingAt: 0) + value }
        let dates = Set(items.map(\.date)).sorted()
        let dateText = dates.count <= 6 ? dates.map(\.description).joined(separator: ", ")
            : "\(dates[0]) … \(dates[dates.count - 1])"
        var assets: [String: (variable: String, stores: Set<String>)] = [:]
        for item in items {
            for asset in item.assets { assets[asset.key, default: (asset.variable, [])].stores.insert(asset.store) }
        }
        let assetText = assets.sorted { $0.key < $1.key }
            .map { "\($0.key) → \($0.value.variable) (\($0.value.stores.sorted().joined(separator: ", ")))" }.joined(separator: ", ")
        return [
            line("stac", "\(source): \(record.summary)"),
            line("", "\(items.count) item(s) on \(record.pages) page(s), \(dates.count) date(s): \(dateText)"),
            line("", "assets \(assetText)"),
        ]
    }
}
