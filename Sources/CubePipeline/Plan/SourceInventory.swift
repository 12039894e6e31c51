import CubeCore
import CubeRecipe
import CubeStorage
import Foundation

/// The files of one recipe source, described, ordered in time and checked for consistency.
struct SourceInventory: Sendable {
    /// One time step of one file: which file and which step within it. Files dated by the recipe
    /// may give several steps of one date (mosaic tiles), consecutive in path order.
    struct Step: Sendable, Hashable {
        var file: Int
        var index: Int
        var date: CalendarDate
    }

    var section: SourceSection
    var store: any DataStore
    /// The files' descriptors, in time order.
    var files: [DatasetDescriptor]
    /// All time steps in order (before the recipe's start/end); steps of one date are consecutive.
    var steps: [Step]
    /// How the files are read (remote objects through the input cache).
    var inputs = SourceInputs()
    /// The index of its section in `Recipe.sources`.
    var recipeIndex = 0

    var grid: SourceGrid { files[0].grid }
    var first: DatasetDescriptor { files[0] }

    /// Expands the source's globs (local, or `s3://` listings and `https://` URLs through
    /// `registries.storage`, fetched into `cache`), describes every file and orders them by their
    /// first time step. Remote files keep their URL as their `location`. One inventory, except for
    /// a `store: stac` source whose assets lie on different grids: one per grid (`STACAssetGroups`).
    /// - Throws: `CubeError` naming the recipe key, files or URLs: no match, overlapping or duplicate
    ///   steps, different grids or calendars within the source, storage failures.
    /// - Parameter target: The cube's grid, which a `store: stac` source's search covers
    ///   (required for one, unused by the others).
    static func build(_ section: SourceSection, recipe: Recipe, registries: Registries, cache: InputCache,
                      target: RegularGrid?) async throws -> [SourceInventory] {
        if section.stac != nil {
            guard let target else { preconditionFailure("a STAC source is searched over the target grid") }
            if section.crs != nil || section.geotransform != nil {
                throw recipe.error("\(section.keyPath).\(section.crs != nil ? "crs" : "geotransform")",
                                   "store: stac takes each asset's georeferencing from the asset; crs and geotransform are for store: geotiff paths")
            }
            // The files are the items of a STAC search, each read through its assets' format stores.
            let (items, assets, record, orders) = try await STACSourceSearch.run(section, recipe: recipe, target: target, registries: registries,
                                                                         cache: cache)
            var inventories: [SourceInventory] = []
            for group in try await STACAssetGroups.byGrid(items, section: section, inputs: assets, stores: registries.stores) {
                let store = STACItemStore(items: Dictionary(uniqueKeysWithValues: group.items.map { ($0.location, $0) }), assets: assets,
                                          stores: registries.stores)
                var inputs = SourceInputs(cache: cache)
                inputs.catalogue = SearchedCatalogue(items: group.items, record: record, orders: orders)
                inventories.append(try await described(group.items.map(\.location), section: group.section, store: store, inputs: inputs,
                                                       recipe: recipe))
            }
            return inventories
        }
        guard var store = registries.stores.store(section.store) else {
            let known = registries.stores.stores.keys.sorted().joined(separator: ", ")
            throw recipe.error("\(section.keyPath).store", "unknown data store '\(section.store)' (registered: \(known))")
        }
        if let georeference = try SourceGeoreference.assigned(section, recipe: recipe) {
            guard let assigning = store as? any GeoreferenceAssigningStore else {
                let key = section.crs != nil ? "crs" : "geotransform"
                throw recipe.error("\(section.keyPath).\(key)", "store '\(section.store)' takes its georeferencing from the files; \(key) is for rasters (store: geotiff)")
            }
            store = assigning.assigning(georeference)
        }
        var paths: [String] = []
        var inputs = SourceInputs(cache: cache)
        for pattern in section.paths {
            if store is any StorageDataStore {
                let datasets = try DatasetPaths.expand(pattern, options: section.storageOptions.storageOptions, registry: registries.storage)
                if datasets.isEmpty { throw recipe.error("\(section.keyPath).paths", "no dataset matches '\(pattern)'") }
                for dataset in datasets { inputs.datasets[dataset.location] = dataset.storage }
                paths += datasets.map(\.location)
                continue
            }
            if RemotePaths.isRemote(pattern) {
                let objects = try await RemotePaths.expand(pattern, options: section.storageOptions.storageOptions,
                                                           registry: registries.storage)
                if objects.isEmpty { throw recipe.error("\(section.keyPath).paths", "no object matches '\(pattern)'") }
                for object in objects { inputs.addInspected(object) }
                paths += objects.map(\.url)
                continue
            }
            let matches = FileGlob.expand(pattern.hasPrefix("file://") ? String(pattern.dropFirst(7)) : pattern)
            if matches.isEmpty { throw recipe.error("\(section.keyPath).paths", "no file matches '\(pattern)'") }
            paths += matches
        }
        paths = Array(Set(paths)).sorted()
        return [try await described(paths, section: section, store: store, inputs: inputs, recipe: recipe)]
    }

    /// The inventory of the same files read at resolution level `level` (multi-resolution datasets).
    /// - Throws: `CubeError` as `build` does.
    func atLevel(_ level: Int, recipe: Recipe) async throws -> SourceInventory {
        var inputs = self.inputs
        inputs.level = level
        var inventory = try await SourceInventory.described(files.map(\.location), section: section, store: store, inputs: inputs, recipe: recipe)
        inventory.recipeIndex = recipeIndex
        return inventory
    }

    private static func described(_ paths: [String], section: SourceSection, store: any DataStore,
                                  inputs: SourceInputs, recipe: Recipe) async throws -> SourceInventory {
        let described = await describeAll(paths, store: store, inputs: inputs)
        var files: [DatasetDescriptor] = []
        for (position, path) in paths.enumerated() {
            // Every file before the first failure was described, so the first error in path order is the one thrown.
            guard let result = described[position] else {
                throw CubeError(.internalInconsistency, "'\(path)' was not described", context: ["file": path])
            }
            var descriptor = try result.get()
            descriptor.location = path
            files.append(try InputTime.apply(section, to: descriptor, position: position, count: paths.count, recipe: recipe,
                                             catalogued: inputs.catalogue?.item(at: path)?.date))
        }
        // By first date; files of one date (mosaic tiles) keep their path order.
        let origin = CalendarDate(year: .min, month: 1, day: 1)
        files.sort { a, b in
            let (da, db) = (a.dates.first ?? origin, b.dates.first ?? origin)
            return da < db || (!(db < da) && a.location < b.location)
        }
        var inventory = SourceInventory(section: section, store: store, files: files, steps: [])
        inventory.inputs = inputs
        return try inventory.checked()
    }

    /// How many files are described at once when any is remote (each costs round trips: a HEAD and
    /// the header's byte ranges, or a STAC item's assets); local files are described one by one.
    static let remoteDescribeConcurrency = 12

    /// Describes every file, results in path order: remote ones `remoteDescribeConcurrency` at a
    /// time, local ones in turn. Files are started in path order and none after a failure, so
    /// every file before the first failed one has a result and the error reported does not
    /// depend on timing; files after it may have none.
    static func describeAll(_ paths: [String], store: any DataStore,
                            inputs: SourceInputs) async -> [Result<DatasetDescriptor, any Error>?] {
        let limit = paths.contains(where: RemotePaths.isRemote) ? remoteDescribeConcurrency : 1
        if limit == 1 {
            // Local files in turn, without a task group.
            var results = [Result<DatasetDescriptor, any Error>?](repeating: nil, count: paths.count)
            for (index, path) in paths.enumerated() {
                do {
                    results[index] = .success(try await inputs.describe(path, with: store))
                } catch {
                    results[index] = .failure(error)
                    break
                }
            }
            return results
        }
        // One loop, and each child's outcome boxed in a class: with the (index, Result) tuple as
        // the group's element type, release builds of Swift 6.3 handed back a corrupt index (a
        // trap in the results' subscript, 2026-11-30); debug builds passed.
        return await withTaskGroup(of: DescribeOutcome.self) { group in
            var results = [Result<DatasetDescriptor, any Error>?](repeating: nil, count: paths.count)
            var next = 0, running = 0
            var failed = false
            while true {
                while !failed, next < paths.count, running < limit {
                    let index = next, path = paths[index]
                    group.addTask {
                        do {
                            return DescribeOutcome(index: index, result: .success(try await inputs.describe(path, with: store)))
                        } catch {
                            return DescribeOutcome(index: index, result: .failure(error))
                        }
                    }
                    next += 1
                    running += 1
                }
                guard let outcome = await group.next() else { break }
                running -= 1
                results[outcome.index] = outcome.result
                if case .failure = outcome.result { failed = true }
            }
            return results
        }
    }

    /// What one concurrent describe gave, for the file at `index`.
    final class DescribeOutcome: Sendable {
        let index: Int
        let result: Result<DatasetDescriptor, any Error>
        init(index: Int, result: Result<DatasetDescriptor, any Error>) {
            self.index = index
            self.result = result
        }
    }

    /// Whether the files' dates come from the recipe: then several files may share a date (tiles
    /// mosaicked into one step) and each may have its own grid.
    var isStamped: Bool { InputTime.isStamped(section) }

    /// The distinct grids of the files, in order of first appearance, and each file's grid index.
    var grids: (grids: [SourceGrid], fileGrid: [Int]) {
        var grids: [SourceGrid] = [], fileGrid: [Int] = []
        for file in files {
            if let index = grids.firstIndex(of: file.grid) {
                fileGrid.append(index)
            } else {
                fileGrid.append(grids.count)
                grids.append(file.grid)
            }
        }
        return (grids, fileGrid)
    }

    private func checked() throws -> SourceInventory {
        var copy = self
        let reference = files[0]
        for file in files.dropFirst() {
            if file.grid.crs != reference.grid.crs, !section.allowMixedCRS {
                throw CubeError(.invalidInput,
                    "'\(file.location)' is in \(file.grid.crs.text.prefix(60)) but '\(reference.location)' in \(reference.grid.crs.text.prefix(60)) (source '\(section.name)'); set allow_mixed_crs: true to mosaic tiles of several CRSs",
                    context: ["file": file.location])
            }
            if file.grid != reference.grid, !isStamped {
                throw CubeError(.invalidInput, "'\(file.location)' has a different grid than '\(reference.location)' in source '\(section.name)'",
                                context: ["file": file.location])
            }
            if file.timeUnits?.calendar != reference.timeUnits?.calendar {
                throw CubeError(.invalidInput,
                    "'\(file.location)' uses calendar \(file.timeUnits?.calendar.cfName ?? "none") but '\(reference.location)' uses \(reference.timeUnits?.calendar.cfName ?? "none")",
                    context: ["file": file.location])
            }
        }
        for (index, file) in files.enumerated() {
            guard file.timeDimension != nil, !file.dates.isEmpty else {
                throw CubeError(.unsupported, "'\(file.location)' has no time axis; sources without time are not supported yet",
                                context: ["file": file.location])
            }
            for k in 1..<max(1, file.dates.count) where !(file.dates[k - 1] < file.dates[k]) {
                throw CubeError(.invalidInput, "'\(file.location)': time steps \(k - 1) and \(k) (\(file.dates[k - 1]), \(file.dates[k])) are not increasing",
                                context: ["file": file.location])
            }
            // Files dated by the recipe may share a date: they are tiles of one step's mosaic.
            if index > 0, let previousLast = files[index - 1].dates.last, let first = file.dates.first, !(previousLast < first),
               !(isStamped && !(first < previousLast)) {
                throw CubeError(.invalidInput,
                    "time steps overlap: '\(files[index - 1].location)' ends at \(previousLast) but '\(file.location)' starts at \(first)",
                    context: ["file": file.location])
            }
            copy.steps += file.dates.enumerated().map { Step(file: index, index: $0.offset, date: $0.element) }
        }
        return copy
    }
}

/// Shell-style file name expansion (`*`, `?`, `[…]`), sorted; a pattern without wildcards matches
/// the file itself when it exists. Matches files, or with `directories` directories (datasets
/// stored as folders, such as Zarr).
enum FileGlob {
    static func expand(_ pattern: String, directories: Bool = false) -> [String] {
        var result = glob_t()
        defer { globfree(&result) }
        guard glob(pattern, 0, nil, &result) == 0 else { return [] }
        return (0..<Int(result.gl_pathc)).compactMap { result.gl_pathv[$0].map { String(cString: $0) } }.filter {
            var isDirectory: ObjCBool = false
            return FileManager.default.fileExists(atPath: $0, isDirectory: &isDirectory) && isDirectory.boolValue == directories
        }.sorted()
    }
}
