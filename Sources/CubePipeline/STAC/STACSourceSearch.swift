import CubeCore
import CubeRecipe
import CubeSTAC
import CubeStorage
import CubeStorageS3
import Foundation

/// Turns a `store: stac` source into the items it reads: builds the search (the recipe's grid
/// and time range by default), runs it on the catalogue, checks every item (a time, the assets
/// the recipe names, a store for each) and inspects each remote asset (HEAD: size and entity tag).
enum STACSourceSearch {
    /// HEAD requests in flight while inspecting assets.
    static let inspectionConcurrency = 16

    /// The search a source asks for: its own keys, with `bbox` defaulting to the target grid's
    /// WGS 84 extent (west > east across the antimeridian) and `datetime` to `time.start`…`time.end`.
    /// - Throws: `CubeError` when the grid's extent cannot be computed or `query`/`filter` are not JSON.
    static func search(_ stac: STACSourceSection, recipe: Recipe, target: RegularGrid, keyPath: String) throws -> STACSearch {
        var search = STACSearch()
        search.collections = stac.collections
        search.ids = stac.ids
        search.limit = stac.limit
        do {
            search.query = try stac.queryJSON.map { try STACJSON(parsing: $0) }
            search.filter = try stac.filterJSON.map { try STACJSON(parsing: $0) }
        } catch {
            throw recipe.error("\(keyPath).query", "is not JSON: \(error)")
        }
        if let bbox = stac.bbox {
            search.bbox = bbox
        } else if stac.ids.isEmpty {
            let extent = try GeographicExtent.of(target)
            search.bbox = [extent.lonMin, extent.latMin, extent.lonMax, extent.latMax].map { ($0 * 1e9).rounded() / 1e9 }
        }
        if let datetime = stac.datetime {
            search.datetime = datetime
        } else if recipe.time.start != nil || recipe.time.end != nil {
            let start = recipe.time.start.map { $0.iso8601(alwaysTime: true) } ?? ".."
            var end = ".."
            if let last = recipe.time.end {
                // A date without a time of day means the whole day (as time.end does elsewhere).
                end = last.secondOfDay == 0 ? CalendarDate(year: last.year, month: last.month, day: last.day, secondOfDay: 86399.999).iso8601(alwaysTime: true)
                    : last.iso8601(alwaysTime: true)
            }
            search.datetime = "\(start)/\(end)"
        }
        return search
    }

    /// Searches the catalogue and returns the items (sorted by time, then location) with their
    /// assets inspected, the inputs that read the assets, and the search record.
    /// - Throws: `CubeError` naming the catalogue, item, asset or recipe key: unreachable
    ///   catalogue, HTTP errors, an empty result (with the request), an item without a time, an
    ///   asset missing from an item, an asset of unknown format, a missing asset object.
    static func run(_ section: SourceSection, recipe: Recipe, target: RegularGrid, registries: Registries,
                    cache: InputCache) async throws -> (items: [CataloguedItem], assets: SourceInputs, record: STACSearchRecord,
                                                        orders: [String: String]) {
        guard let stac = section.stac else { throw CubeError(.internalInconsistency, "source '\(section.name)' has no STAC keys") }
        let request = try search(stac, recipe: recipe, target: target, keyPath: section.keyPath)
        let token = try CatalogueToken.resolve(stac, keyPath: section.keyPath, recipe: recipe)
        let client = STACClient(http: HTTPAPIClient(), headers: token.map { [$0.header] } ?? [])
        var result = try await searchAcrossAntimeridian(client, root: stac.url, request, method: stac.method)
        guard !result.items.isEmpty else {
            throw CubeError(.invalidInput, "the STAC search of source '\(section.name)' found no items: \(result.record.summary)",
                            context: ["url": stac.url, "key": "\(section.keyPath).url"])
        }
        let ordering = try await ordered(result.items, stac: stac, client: client, recipe: recipe, source: section.name,
                                         registries: registries)
        result.items = ordering.items
        var items: [CataloguedItem] = []
        var seen: Set<String> = []
        for found in result.items {
            let item = found.item
            let location = found.url
            guard seen.insert(location).inserted else { continue }
            guard let date = item.date else {
                let reason = item.datetimeText.map { "its datetime '\($0)' is not RFC 3339" } ?? "it has neither datetime nor start_datetime"
                throw CubeError(.invalidInput, "STAC item '\(item.name)' has no time: \(reason)", context: ["url": location])
            }
            var assets: [CataloguedItem.Asset] = []
            for (key, variable) in stac.assets.sorted(by: { $0.key < $1.key }) {
                guard let asset = item.assets[key] else {
                    throw CubeError(.invalidInput,
                        "STAC item '\(item.name)' has no asset '\(key)' (it has: \(item.assets.keys.sorted().joined(separator: ", "))); source '\(section.name)' reads '\(key)' as '\(variable)'",
                        context: ["url": location, "key": "\(section.keyPath).assets"])
                }
                let href = found.resolve(asset.href)
                guard let store = stac.format ?? format(of: asset, href: href) else {
                    throw CubeError(.invalidInput,
                        "STAC item '\(item.name)' asset '\(key)': cannot tell its format from type '\(asset.type ?? "none")' or '\(href)'; give the source format: geotiff, netcdf, grib or zarr",
                        context: ["url": href, "key": "\(section.keyPath).format"])
                }
                assets.append(CataloguedItem.Asset(key: key, variable: variable, href: href, store: store, etag: nil, bytes: asset.size,
                                                   checksum: asset.checksum))
            }
            items.append(CataloguedItem(location: location, id: item.id, collection: item.collection, date: date, assets: assets))
        }
        items.sort { $0.date < $1.date || (!($1.date < $0.date) && $0.location < $1.location) }
        let inputs = try await inspect(&items, section: section, registries: registries, cache: cache, token: token)
        return (items, inputs, result.record, ordering.orders)
    }

    /// Runs `request`; a box across the antimeridian (west > east, as STAC allows) is sent as two
    /// boxes, west…180 and −180…east, and the results merged (some servers refuse such boxes).
    static func searchAcrossAntimeridian(_ client: STACClient, root: String, _ request: STACSearch,
                                         method: String?) async throws -> STACSearchResult {
        guard let box = request.bbox, box.count == 4, box[0] > box[2] else {
            return try await client.search(root: root, request, method: method)
        }
        var east = request, west = request
        east.bbox = [box[0], box[1], 180, box[3]]
        west.bbox = [-180, box[1], box[2], box[3]]
        let first = try await client.search(root: root, east, method: method)
        let second = try await client.search(root: root, west, method: method)
        var seen = Set(first.items.map(\.url))
        var merged = first
        merged.items += second.items.filter { seen.insert($0.url).inserted }
        merged.record.request = first.record.request + " + " + second.record.request
        merged.record.pages += second.record.pages
        merged.record.items = merged.items.count
        return merged
    }

    /// The next inspected asset; a refused request on the catalogue's host says the token may have expired.
    private static func nextInspected(_ group: inout ThrowingTaskGroup<(Int, Int, RemoteObject?), any Error>,
                                      token: CatalogueToken?) async throws -> (Int, Int, RemoteObject?)? {
        do {
            return try await group.next()
        } catch var error as CubeError {
            if let token, let storage = error.underlying as? StorageError, storage.code == .denied, token.covers(storage.location) {
                error.message += " (the bearer token was refused: it may have expired; renew it)"
            }
            throw error
        }
    }

    /// The items as they can be read: orderable ones ordered (all at once, polled until ready), or
    /// their earlier run's orders polled again; and the orders, placeholder URL → ordered item URL.
    private static func ordered(_ items: [STACFoundItem], stac: STACSourceSection, client: STACClient, recipe: Recipe,
                                source: String, registries: Registries) async throws -> (items: [STACFoundItem], orders: [String: String]) {
        guard items.contains(where: { $0.item.properties["order:status"] != nil }) else { return (items, [:]) }
        func offline(_ found: STACFoundItem) -> Bool {
            guard let status = found.item.properties["order:status"]?.stringValue else { return false }
            return status == "orderable" || STACOrders.pending.contains(status)
        }
        var earlier: [String: String] = [:]
        if stac.order, items.contains(where: offline) {
            earlier = await EarlierOrders.load(recipe: recipe, source: source, registries: registries)
        }
        let known = earlier
        return try await withThrowingTaskGroup(of: (Int, STACFoundItem).self) { group in
            for (index, found) in items.enumerated() {
                group.addTask {
                    (index, try await STACOrders.fulfil(found, client: client, order: stac.order, earlier: known[found.url],
                                                        timeout: stac.orderTimeout) { line in
                        FileHandle.standardError.write(Data((line + "\n").utf8))
                    })
                }
            }
            var result = items
            var orders: [String: String] = [:]
            for try await (index, found) in group {
                if offline(items[index]) { orders[items[index].url] = found.url }
                result[index] = found
            }
            return (result, orders)
        }
    }

    /// The data store for an asset: by media type, else by the extension of its href.
    static func format(of asset: STACAsset, href: String) -> String? {
        let type = (asset.type ?? "").lowercased()
        if type.contains("tiff") { return "geotiff" }
        if type.contains("netcdf") || type.contains("x-hdf") { return "netcdf" }
        if type.contains("grib") { return "grib" }
        if type.contains("zarr") { return "zarr" }
        let path = (href.split(separator: "?").first.map(String.init) ?? href).lowercased()
        let trimmed = path.hasSuffix("/") ? String(path.dropLast()) : path
        switch (trimmed as NSString).pathExtension {
        case "tif", "tiff": return "geotiff"
        case "nc", "nc4", "h5", "hdf5": return "netcdf"
        case "grib", "grb", "grib2", "grb2": return "grib"
        case "zarr": return "zarr"
        default: return nil
        }
    }

    /// Inspects every asset: remote objects by HEAD (size, entity tag; a missing one is an error
    /// naming the item), Zarr datasets opened in place, local files checked to exist.
    private static func inspect(_ items: inout [CataloguedItem], section: SourceSection, registries: Registries,
                                cache: InputCache, token: CatalogueToken?) async throws -> SourceInputs {
        var inputs = SourceInputs(cache: cache)
        let options = section.storageOptions.storageOptions
        var remote: [(item: Int, asset: Int)] = []
        for (i, item) in items.enumerated() {
            for (a, asset) in item.assets.enumerated() {
                if asset.store == "zarr" {
                    for dataset in try DatasetPaths.expand(asset.href, options: options, registry: registries.storage) {
                        inputs.datasets[dataset.location] = dataset.storage
                    }
                } else if RemotePaths.isRemote(asset.href) {
                    remote.append((i, a))
                } else if !FileManager.default.fileExists(atPath: asset.href) {
                    throw CubeError(.invalidInput, "STAC item '\(item.id)' asset '\(asset.key)': '\(asset.href)' does not exist",
                                    context: ["file": asset.href])
                }
            }
        }
        // One storage per bucket or site, so connections are shared.
        var storages: [String: any ReadableStorage] = [:]
        var work: [(item: Int, asset: Int, url: StorageURL, storage: any ReadableStorage)] = []
        for (i, a) in remote {
            let href = items[i].assets[a].href
            do {
                let url = try StorageURL(href)
                let root = "\(url.scheme)://\(url.authority)"
                if storages[root] == nil {
                    // The catalogue's own host (HDA download links) gets the token; no other host does.
                    if let token, token.covers(href) {
                        storages[root] = HTTPStorage(url: try StorageURL(root), headers: [token.header])
                    } else {
                        storages[root] = try registries.storage.open(try StorageURL(root), options: options)
                    }
                }
                work.append((i, a, url, storages[root]!))
            } catch {
                throw StorageFailure.wrap(error, url: href)
            }
        }
        try await withThrowingTaskGroup(of: (Int, Int, RemoteObject?).self) { group in
            var next = 0
            func start() {
                guard next < work.count else { return }
                let job = work[next]
                next += 1
                let href = items[job.item].assets[job.asset].href
                group.addTask {
                    (job.item, job.asset, try await RemotePaths.inspect(StoreKey(job.url.path), url: href, storage: job.storage))
                }
            }
            for _ in 0..<inspectionConcurrency { start() }
            while let (i, a, object) = try await nextInspected(&group, token: token) {
                let asset = items[i].assets[a]
                guard let object else {
                    throw CubeError(.invalidInput, "STAC item '\(items[i].id)' asset '\(asset.key)': '\(asset.href)' does not exist",
                                    context: ["url": asset.href])
                }
                inputs.addInspected(object)
                items[i].assets[a].etag = object.info.etag
                items[i].assets[a].bytes = object.info.size
                start()
            }
        }
        return inputs
    }
}
