import CubeCatalog
import CubeCore
import CubeProjection
import CubeRecipe
import CubeStorage
import Foundation
import Zarr

/// Writes a cube's catalogue: `lineage.json` and the quick-looks into the (staged) cube, the STAC
/// Collection and Item beside the published cube.
struct CatalogWriter {
    let plan: CubePlan
    let lineage: Lineage

    /// Writes `lineage.json` into the cube.
    func writeLineage(_ storage: any Storage) async throws {
        try await storage.set(StoreKey(CatalogLayout.lineageKey), to: Array(lineage.json.serialized(indent: 2).utf8))
    }

    /// Renders the last time step of every data variable, as captured during the run, into
    /// `quicklooks/NAME.png` inside the cube (the variables in parallel).
    /// - Returns: The variables and their keys, in plan order.
    func writeQuicklooks(_ storage: any Storage, capture: QuicklookCapture) async throws -> [(variable: String, key: String)] {
        let label = plan.time.units.date(plan.time.values[capture.step]).description
        let width = capture.sampling.columns.count, height = capture.sampling.rows.count
        let ascending = plan.grid.yAxis == .ascending
        try await withThrowingTaskGroup(of: Void.self) { group in
            // One picture per array: a (time, level, y, x) array shows its first level.
            for array in plan.outputArrays {
                let index = array.layers[0], variable = plan.variables[index]
                let title = variable.layer.map { "\(array.name) \($0.title)" } ?? array.name
                group.addTask {
                    var values = capture.field(index)
                    if ascending {
                        // Stored south to north: the picture is north-up.
                        values = (0..<height).reversed().flatMap { values[($0 * width)..<(($0 + 1) * width)] }
                    }
                    let units = variable.attributes[named: "units"]?.text ?? ""
                    let image = Quicklook(values: values, width: width, height: height, title: "\(title)  \(label)", units: units)
                    try await storage.set(StoreKey(CatalogLayout.quicklookKey(array.name)), to: try image.png())
                }
            }
            try await group.waitForAll()
        }
        return plan.outputArrays.map { ($0.name, CatalogLayout.quicklookKey($0.name)) }
    }

    /// Writes the STAC Collection and Item beside the published cube (each replaced atomically).
    /// - Returns: Where they went.
    /// The documents go through the storage registry, so a cube on S3 gets its STAC entry on S3.
    func writeSTAC(cube: URL, quicklooks: [(variable: String, key: String)], extent: GeographicExtent,
                   storage registry: StorageRegistry, options: StorageOptions) async throws -> CatalogLayout {
        let layout = CatalogWriter.layout(cube: cube, catalogPath: plan.recipe.catalog.path)
        let entry = catalogEntry(layout, quicklooks: quicklooks, extent: extent)
        let documents = STACDocuments(entry)
        for (url, document) in [(layout.collection, documents.collection), (layout.item, documents.item)] {
            do {
                let (folder, key) = try CatalogWriter.folder(of: url, registry: registry, options: options)
                try await folder.set(key, to: Array(document.serialized(indent: 2).utf8))
            } catch {
                throw CubeError(.io, "cannot write the STAC entry '\(CatalogLayout.text(url))': \(error)", underlying: error)
            }
        }
        return layout
    }

    /// The catalogue layout of `cube` with the recipe's `catalog.path` (a path or URL).
    static func layout(cube: URL, catalogPath: String?) -> CatalogLayout {
        CatalogLayout(cube: cube, collection: catalogPath.map { $0.contains("://") ? URL(string: $0)! : URL(fileURLWithPath: $0) })
    }

    /// The writable storage of the folder holding `url`, and the file's key in it.
    static func folder(of url: URL, registry: StorageRegistry, options: StorageOptions) throws -> (any Storage, StoreKey) {
        let folder = url.deletingLastPathComponent()
        let storageURL = try StorageURL(url.isFileURL ? folder.path : folder.absoluteString)
        return (try registry.openWritable(storageURL, options: options), StoreKey(url.lastPathComponent))
    }

    /// Refuses, before anything is written, to replace a file where a STAC document goes that is
    /// not a STAC document.
    /// - Throws: `CubeError` (`.outputExists`) naming the file and what it holds.
    static func checkReplaceable(_ url: URL, registry: StorageRegistry, options: StorageOptions) async throws {
        if url.isFileURL {
            try ReplaceableOutput.checkSTACDocument(url, role: "the STAC file")
            return
        }
        let (folder, key) = try folder(of: url, registry: registry, options: options)
        guard let bytes = try await folder.get(key) else { return }
        guard let document = try? JSONValue.parse(bytes), document["stac_version"] != nil else {
            throw CubeError(.outputExists,
                "the STAC file '\(CatalogLayout.text(url))' is a file that is not a STAC document; overwrite replaces only a cube, so nothing was touched",
                context: ["path": CatalogLayout.text(url)])
        }
    }

    private func catalogEntry(_ layout: CatalogLayout, quicklooks: [(variable: String, key: String)], extent: GeographicExtent) -> CatalogEntry {
        let recipe = plan.recipe, grid = plan.grid
        let (xName, yName) = plan.spatialNames
        let reference: JSONValue = plan.crs.epsgCode.map { .int(Int64($0)) } ?? .string(plan.crs.wkt2)
        let spatial = [
            CatalogEntry.SpatialDimension(name: xName, axis: "x", extent: (grid.xMin, grid.xMax), step: grid.xResolution, count: grid.width,
                                          referenceSystem: reference, unit: grid.isGeographic ? "degrees_east" : "m"),
            CatalogEntry.SpatialDimension(name: yName, axis: "y", extent: (grid.yMin, grid.yMax),
                                          step: grid.yAxis == .ascending ? grid.yResolution : -grid.yResolution, count: grid.height,
                                          referenceSystem: reference, unit: grid.isGeographic ? "degrees_north" : "m"),
        ]
        let units = plan.time.units
        let values = plan.time.values.map { units.date($0).iso8601(alwaysTime: true) }
        let interval = TimeCoverage.of(plan.time)
        let timeStep = plan.time.period?.isoDuration ?? ISODuration.of(steps: plan.time.dates.map(units.absoluteSeconds))
        let label = recipe.time.period == nil ? "source time steps" : "\(recipe.time.label ?? "start") of each \(plan.time.period!.description) period, bounds in time_bnds"
        let time = CatalogEntry.TimeDimension(values: values, step: timeStep,
                                              description: "CF time in '\(units.description)', calendar \(units.calendar.cfName); labels: \(label)")
        let dims = ["time"] + plan.extraDimensions.map(\.name) + [yName, xName]
        let variables = plan.outputArrays.map { array in
            let variable = plan.variables[array.layers[0]]
            return CatalogEntry.Variable(name: array.name, dimensions: dims,
                                  description: variable.attributes[named: "long_name"]?.text ?? variable.attributes[named: "standard_name"]?.text,
                                  unit: variable.attributes[named: "units"]?.text)
        }
        var auxiliary = [
            CatalogEntry.Variable(name: "\(yName)_bnds", dimensions: [yName, "bnds"], description: "\(yName) cell bounds", unit: nil),
            CatalogEntry.Variable(name: "\(xName)_bnds", dimensions: [xName, "bnds"], description: "\(xName) cell bounds", unit: nil),
            CatalogEntry.Variable(name: "crs", dimensions: [], description: "grid mapping: \(plan.crs.name)", unit: nil),
        ]
        if plan.time.bounds != nil {
            auxiliary.insert(CatalogEntry.Variable(name: "time_bnds", dimensions: ["time", "bnds"], description: "time period bounds", unit: nil), at: 0)
        }
        let hrefs = CatalogEntry.Hrefs(
            collection: "./" + layout.collection.lastPathComponent, item: "./" + layout.item.lastPathComponent,
            cube: layout.relative(layout.cube), lineage: layout.relative(layout.cube.appendingPathComponent(CatalogLayout.lineageKey)),
            quicklooks: quicklooks.map { ($0.variable, layout.relative(layout.cube.appendingPathComponent($0.key))) })
        var pyramidHrefs = hrefs
        if let pyramid = PyramidLayout(plan: plan) {
            let levels = layout.cube.deletingLastPathComponent().appendingPathComponent(
                URL(fileURLWithPath: PyramidWriter.location(ofCube: layout.cube.lastPathComponent)).lastPathComponent)
            pyramidHrefs.pyramid = (layout.relative(levels), pyramid.levels.count, pyramid.tile)
        }
        if let shape = TimeSeriesWriter.shape(plan) {
            let copy = layout.cube.deletingLastPathComponent().appendingPathComponent(
                URL(fileURLWithPath: TimeSeriesWriter.location(ofCube: layout.cube.lastPathComponent)).lastPathComponent)
            pyramidHrefs.timeSeries = (layout.relative(copy), [shape.time, shape.y, shape.x])
        }
        var entry = CatalogEntry(
            id: recipe.cube.id, title: recipe.cube.title, description: recipe.cube.summary, license: recipe.cube.license,
            keywords: recipe.cube.keywords, version: recipe.cube.version,
            box: GeographicBox(west: extent.lonMin, south: extent.latMin, east: extent.lonMax, north: extent.latMax),
            interval: interval, spatial: spatial, time: time, variables: variables, auxiliary: auxiliary, hrefs: pyramidHrefs, lineage: lineage)
        entry.format = plan.format
        if let vertical = plan.vertical {
            let attributes = vertical.coordinate.attributes
            entry.vertical = CatalogEntry.VerticalDimension(
                name: vertical.name, values: vertical.values, unit: vertical.coordinate.units,
                description: "\(attributes[named: "standard_name"]?.text ?? vertical.name), positive \(attributes[named: "positive"]?.text ?? "?"); levels as asked: \(vertical.labels.joined(separator: ", "))")
        }
        if let members = plan.members {
            entry.members = CatalogEntry.MemberDimension(name: members.name, values: members.values,
                                                         description: "ensemble member number (GRIB number), CF standard_name realization")
        }
        // Each item once, also when a source split by asset grid lists it in several plans.
        var seen: Set<String> = []
        entry.derivedFrom = plan.sources.flatMap { $0.inputs.catalogue?.items.map(\.location) ?? [] }.filter { seen.insert($0).inserted }
        return entry
    }
}

/// The first and last instants a time axis covers: the outer period bounds, else the first and
/// last steps (ISO 8601 UTC), as in `time_coverage_start`/`time_coverage_end`.
enum TimeCoverage {
    static func of(_ time: TimeAxisPlan) -> (start: String, end: String) {
        if let bounds = time.bounds, let first = bounds.first, let last = bounds.last {
            return (time.units.date(first.0).iso8601(alwaysTime: true), time.units.date(last.1).iso8601(alwaysTime: true))
        }
        return (time.dates.first?.iso8601(alwaysTime: true) ?? "", time.dates.last?.iso8601(alwaysTime: true) ?? "")
    }
}
