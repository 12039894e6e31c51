import CubeCore
import CubeResampling
import CubeSTAC
import CubeRecipe
import Zarr

/// The recipe as the plan interprets it: every key with its effective value (defaults filled in,
/// paths absolute, grid and chunks as fixed by the planner), in the recipe format's key order.
/// Two recipes that build the same cube normalise to the same JSON.
enum RecipeNormalizer {
    static func normalize(_ plan: CubePlan) -> JSONValue {
        let recipe = plan.recipe
        func optional(_ text: String?) -> JSONValue { text.map(JSONValue.string) ?? .null }
        func number(_ value: Double?) -> JSONValue { value.map(JSONValue.double) ?? .null }
        let grid = plan.grid
        let (xName, yName) = plan.spatialNames
        let sources: [JSONValue] = recipe.sources.enumerated().map { index, section in
            // A store: stac source split by asset grid has several plans; they share the search and the items.
            let source = plan.sources.first(where: { $0.recipeIndex == index }) ?? plan.sources[index]
            let variables: [(String, JSONValue)] = section.variables.map { variable in
                let planned = plan.variables.first { $0.keyPath == variable.keyPath }
                var members: [(String, JSONValue)] = [
                    ("name", .string(variable.name)),
                    ("resampling", optional(planned?.method.rawValue ?? variable.resampling)),
                    ("aggregation", optional(planned?.aggregation?.rawValue)),
                    ("min_count", planned?.aggregation == nil ? .null : .int(Int64(planned?.minCount ?? 1))),
                    ("upsampling", optional(variable.upsampling)),
                    ("dtype", .string(planned?.dataType.rawValue ?? variable.dataType.rawValue)),
                    ("scale_factor", number(planned?.scaleFactor)),
                    ("add_offset", number(planned?.addOffset)),
                    ("fill_value", number(planned.map { $0.fillValue.isNaN ? nil : $0.fillValue } ?? nil)),
                ]
                if recipe.output.pyramid != nil {
                    members.append(("pyramid_method", .string(planned.map { PyramidMethod.of($0, in: recipe).rawValue } ?? "mean")))
                }
                if let levels = variable.levels {
                    members.append(("levels", .array(levels.map(JSONValue.double))))
                    members.append(("level_units", optional(planned?.layer?.label.split(separator: " ").last.map(String.init))))
                }
                if let numbers = variable.members {
                    members.append(("members", .array(numbers.map { JSONValue.int(Int64($0)) })))
                }
                if let select = variable.select {
                    let pairs: [(String, JSONValue)] = select.keys.sorted().map { ($0, JSONValue.string(select[$0]!)) }
                    members.append(("select", .object(pairs)))
                }
                return (planned?.layer != nil ? variable.sourceName : (planned?.sourceName ?? variable.sourceName), JSONValue.object(members))
            }
            return .object([
                ("name", .string(section.name)), ("store", .string(section.store)),
                ("paths", .array(section.paths.map(JSONValue.string))),
                ("files", .array(source.files.map { .string($0.location) })),
            ] + rasterMembers(section, source) + stacMembers(section, source) + [
                ("variables", .object(variables)),
            ])
        }
        let compressor = (try? plan.compressor.configurationText.map { try JSONValue.parse(Array($0.utf8)) }) ?? nil
        return .object([
            ("version", .int(Int64(recipe.version))),
            ("cube", .object([
                ("id", .string(recipe.cube.id)), ("title", .string(recipe.cube.title)), ("summary", .string(recipe.cube.summary)),
                ("license", .string(recipe.cube.license)), ("version", .string(recipe.cube.version)),
                ("keywords", .array(recipe.cube.keywords.map(JSONValue.string))),
            ])),
            ("grid", .object([
                ("crs", .string(recipe.grid.crs)),
                ("bbox", .array([grid.xMin, grid.yMin, grid.xMax, grid.yMax].map(JSONValue.double))),
                ("resolution", .array([grid.xResolution, grid.yResolution].map(JSONValue.double))),
                ("size", .array([.int(Int64(grid.width)), .int(Int64(grid.height))])),
                ("snap", .string(recipe.grid.snap.rawValue)), ("y_axis", .string(recipe.grid.yAxis.rawValue)),
                ("max_error", .double(recipe.grid.maxError)),
            ])),
            ("time", .object([
                ("start", optional(recipe.time.start?.description)), ("end", optional(recipe.time.end?.description)),
                ("period", optional(recipe.time.period)),
                ("period_anchor", recipe.time.period == nil ? .null : .string(recipe.time.periodAnchor ?? "start")),
                ("label", recipe.time.period == nil ? .null : .string(recipe.time.label ?? "start")),
                ("calendar", .string(plan.time.units.calendar.cfName)),
            ])),
            ("sources", .array(sources)),
            ("output", .object([
                ("path", .string(recipe.output.path)), ("format", .string(recipe.output.format)),
                ("chunks", .object([("time", .int(Int64(plan.chunkShape.time)))] + plan.extraDimensions.enumerated().map { ($1.name, JSONValue.int(Int64(plan.extraChunks.indices.contains($0) ? plan.extraChunks[$0] : 1))) }
                                   + [(yName, .int(Int64(plan.chunkShape.y))), (xName, .int(Int64(plan.chunkShape.x)))])),
            ] + zarr3Members(plan, yName: yName, xName: xName) + [
                ("compressor", compressor ?? .string("none")),
                ("overwrite", .bool(recipe.output.overwrite)),
                ("gdal_crs", .bool(recipe.output.gdalCRS)),
                ("attrs", .object(recipe.output.attributes.map { ($0.name, .string($0.value.description)) })),
            ] + pyramidMembers(plan))),
            ("catalog", .object([
                ("path", optional(recipe.catalog.path)),
                ("fingerprints", .bool(recipe.catalog.fingerprints)),
                ("quicklooks", .bool(recipe.catalog.quicklooks)),
            ])),
        ])
    }

    /// The raster source keys (`bands`, `time_from_name`, `times` as the dates the files got,
    /// `mosaic`, `allow_mixed_crs`, and the assigned `crs`/`geotransform`) for sources that use them; nothing for others, so their normal
    /// form is unchanged. (The overview read follows from the inputs and the grid.)
    private static func rasterMembers(_ section: SourceSection, _ source: SourcePlan) -> [(String, JSONValue)] {
        var members: [(String, JSONValue)] = []
        if InputTime.isStamped(section) || !section.bands.isEmpty || section.allowMixedCRS {
            members += [
                ("bands", .object(section.bands.sorted { $0.key < $1.key }.map { (String($0.key), JSONValue.string($0.value)) })),
                ("time_from_name", section.timeFromName.map { .string($0.pattern) } ?? .null),
                ("times", .array(source.files.map { .string($0.dates.first?.description ?? "") })),
                ("mosaic", .string(section.mosaic.rawValue)),
                ("allow_mixed_crs", .bool(section.allowMixedCRS)),
            ]
        }
        if section.broadcastTime { members.append(("broadcast_time", .bool(true))) }
        if let crs = section.crs { members.append(("crs", .string(crs))) }
        if let geotransform = section.geotransform { members.append(("geotransform", .array(geotransform.map { .double($0) }))) }
        return members
    }

    /// `pyramid` (levels counted, tile size) and `timeseries` (chunks as planned), only when the recipe asks for them.
    private static func pyramidMembers(_ plan: CubePlan) -> [(String, JSONValue)] {
        var members: [(String, JSONValue)] = []
        if let layout = PyramidLayout(plan: plan) {
            members.append(("pyramid", .object([("levels", .int(Int64(layout.levels.count))), ("tile", .int(Int64(layout.tile)))])))
        }
        if let shape = TimeSeriesWriter.shape(plan) {
            let (xName, yName) = plan.spatialNames
            members.append(("timeseries", .object([("chunks", .object([("time", .int(Int64(shape.time))), (yName, .int(Int64(shape.y))),
                                                                      (xName, .int(Int64(shape.x)))]))])))
        }
        return members
    }

    /// The STAC keys of a `store: stac` source as given, and the search as it was sent (endpoint,
    /// method, request, pages and items read); nothing for other sources.
    private static func stacMembers(_ section: SourceSection, _ source: SourcePlan) -> [(String, JSONValue)] {
        guard let stac = section.stac else { return [] }
        func json(_ text: String?) -> JSONValue { text.flatMap { try? JSONValue.parse(Array($0.utf8)) } ?? .null }
        func strings(_ values: [String]) -> JSONValue { .array(values.map(JSONValue.string)) }
        var members: [(String, JSONValue)] = [
            ("url", .string(stac.url)), ("collections", strings(stac.collections)), ("ids", strings(stac.ids)),
            ("query", json(stac.queryJSON)), ("filter", json(stac.filterJSON)),
            ("bbox", stac.bbox.map { .array($0.map(JSONValue.double)) } ?? .null), ("datetime", stac.datetime.map(JSONValue.string) ?? .null),
            ("limit", stac.limit.map { .int(Int64($0)) } ?? .null), ("method", stac.method.map(JSONValue.string) ?? .null),
            ("assets", .object(stac.assets.sorted { $0.key < $1.key }.map { ($0.key, JSONValue.string($0.value)) })),
            ("format", stac.format.map(JSONValue.string) ?? .null),
        ]
        if let catalogue = source.inputs.catalogue {
            let record = catalogue.record
            var search: [(String, JSONValue)] = [
                ("endpoint", .string(record.endpoint)), ("method", .string(record.method)), ("request", .string(record.request)),
                ("pages", .int(Int64(record.pages))), ("items", .int(Int64(record.items))),
            ]
            // Placeholder item → the item its order made (the next run polls these instead of ordering again).
            if !catalogue.orders.isEmpty {
                search.append(("orders", .object(catalogue.orders.sorted { $0.key < $1.key }.map { ($0.key, JSONValue.string($0.value)) })))
            }
            members.append(("search", .object(search)))
        }
        return [("stac", .object(members))]
    }

    /// `shards` and `checksum` as planned, for zarr3 output only (a zarr2 recipe has neither).
    private static func zarr3Members(_ plan: CubePlan, yName: String, xName: String) -> [(String, JSONValue)] {
        guard plan.format == .v3 else { return [] }
        var members: [(String, JSONValue)] = []
        if let shards = plan.shardShape {
            members.append(("shards", .object([("time", .int(Int64(shards.time))), (yName, .int(Int64(shards.y))),
                                               (xName, .int(Int64(shards.x)))])))
        }
        members.append(("checksum", .string(plan.checksum ? "crc32c" : "none")))
        return members
    }
}
