import CubeCatalog
import CubeCore
import CubeResampling
import CubeRecipe
import CubeProjection
import CubeStoreGeoTIFF
import CubeStoreNetCDF
import Foundation
import Zarr

/// The facts a lineage needs that take time to gather (file fingerprints, PROJ descriptions,
/// the geographic extent): gathered in the background while the chunks are
/// computed, so the run's tail stays short.
struct LineageFacts: Sendable {
    /// Input files with sizes and fingerprints, by path.
    var files: [String: SourceRecord.File]
    /// Per source: what PROJ says about its CRS (`nil` when PROJ does not know it).
    var sourceCRS: [CRSDescription?]
    /// The grid's pixel edges in WGS 84.
    var extent: GeographicExtent

    /// Gathers the facts of `plan`.
    /// - Throws: `CubeError` when an input cannot be read for its fingerprint, or PROJ fails.
    static func gather(_ plan: CubePlan) async throws -> LineageFacts {
        LineageFacts(files: try await FileFingerprints.compute(plan, hash: plan.recipe.catalog.fingerprints),
                     sourceCRS: plan.sources.map { try? CRSDescription($0.grid.crs) },
                     extent: try GeographicExtent.of(plan.grid))
    }
}

/// Computes a cube's lineage from its plan, the gathered facts and what the run did: per variable,
/// the source as the store described it and every step applied, each with its accuracy effect.
struct LineageBuilder {
    let plan: CubePlan
    let created: String
    /// Fingerprints, CRS descriptions and the extent.
    let facts: LineageFacts
    /// Per variable (plan order): chunk indices not stored because all fill.
    let emptyChunks: [[[Int]]]
    /// Per variable (plan order): values outside the stored type's range.
    let clipped: [Int]

    /// The versions of everything that touched the values.
    static var software: [SoftwareVersion] {
        [SoftwareVersion(name: "cubegen", version: CubeGenVersion.current),
         SoftwareVersion(name: "netcdf", version: NetCDFStore.libraryVersion),
         SoftwareVersion(name: "hdf5", version: NetCDFStore.hdf5Version),
         SoftwareVersion(name: "libtiff", version: GeoTIFFStore.libraryVersion),
         SoftwareVersion(name: "libgeotiff", version: GeoTIFFStore.geoTIFFVersion),
         SoftwareVersion(name: "proj", version: PROJLibrary.version)]
            + CodecLibraries.versions.map { SoftwareVersion(name: $0.name, version: $0.version) }
    }

    func build() -> Lineage {
        // One record per cube array; the layers (levels) of a (time, level, y, x) array share it:
        // the first layer's steps, every layer's source field and empty chunks.
        let variables = plan.outputArrays.map { array -> VariableLineage in
            let first = plan.variables[array.layers[0]]
            var source = sourceRecord(first)
            if first.layer != nil {
                source.variable = array.layers.map { plan.variables[$0].sourceName }.joined(separator: ", ")
                if plan.members != nil { source.grid.append(("members", memberRecord(array.layers))) }
                if plan.vertical != nil { source.grid.append(("vertical", verticalMembers(array.layers))) }
            }
            let clippedValues = array.layers.reduce(0) { $0 + clipped[$1] }
            // The writer reports empty chunks by their index in the array: (t, level, y, x) for layers.
            let empty = array.layers.flatMap { emptyChunks[$0] }.sorted { $0.lexicographicallyPrecedes($1) }
            return VariableLineage(name: array.name, source: source,
                                   steps: steps(first, scale: plan.sources[first.source].scale, clipped: clippedValues), emptyChunks: empty)
        }
        let recipe = RecipeRecord(file: plan.recipe.fileURL.lastPathComponent, sha256: plan.recipe.sha256, formatVersion: plan.recipe.version,
                                  normalized: RecipeNormalizer.normalize(plan))
        return Lineage(cubeID: plan.recipe.cube.id, created: created, recipe: recipe, software: LineageBuilder.software, variables: variables)
    }

    // MARK: - The source

    private func sourceRecord(_ variable: VariablePlan) -> SourceRecord {
        let source = plan.sources[variable.source]
        let used = Set(source.steps.flatMap { $0.map(\.file) } + variable.upsampled.values.flatMap { $0.map(\.file) })
        let fileRecords = source.files.indices.filter { used.contains($0) }.map { index -> SourceRecord.File in
            let location = source.files[index].location
            if let item = source.inputs.catalogue?.item(at: location),
               let asset = item.assets.first(where: { $0.variable == variable.sourceName }) {
                return facts.files[asset.href] ?? SourceRecord.File(path: asset.href, bytes: asset.bytes ?? 0, sha256: nil, stacItem: item.location)
            }
            return facts.files[location] ?? SourceRecord.File(path: location, bytes: 0, sha256: nil)
        }
        let descriptor = source.files[0].variable(variable.sourceName)
        let packing = descriptor?.packing ?? CFPacking()
        var packingMembers: [(String, JSONValue)] = [("scale_factor", .double(packing.scaleFactor)), ("add_offset", .double(packing.addOffset)),
                                                     ("missing_values", .array(packing.missingValues.map(JSONValue.number)))]
        if let lo = packing.validMin { packingMembers.append(("valid_min", .double(lo))) }
        if let hi = packing.validMax { packingMembers.append(("valid_max", .double(hi))) }
        return SourceRecord(
            name: source.section.name, store: source.section.store, files: fileRecords, variable: variable.sourceName,
            dataType: descriptor?.dataType.rawValue ?? "unknown", packing: packingMembers,
            attributes: (descriptor?.attributes ?? []).map { ($0.name, JSONValue(attribute: $0.value)) },
            crs: crsMembers(source.grid.crs, facts.sourceCRS[variable.source]), grid: gridMembers(source.grid) + cellStorageMembers(source.files[0]) + levelMembers(source.files[0]) + overviewMembers(source)
                + mosaicMembers(source),
            time: timeMembers(source, variable))
    }

    /// The vertical axis of a (time, level, y, x) array: the cube's dimension, and per level
    /// what the recipe asked for, the source field read and (NetCDF) the index along the source's
    /// vertical dimension.
    private func verticalMembers(_ layers: [Int]) -> JSONValue {
        guard let vertical = plan.vertical else { return .null }
        let levels: [JSONValue] = layers.map { index in
            let layer = plan.variables[index]
            var members: [(String, JSONValue)] = [("level", .string(layer.layer?.label ?? "")), ("variable", .string(layer.sourceName))]
            if let member = layer.layer?.member, let axis = plan.members { members.insert(("member", .int(Int64(axis.values[member]))), at: 1) }
            if let level = layer.sourceLevel {
                members += [("dimension", .string(level.dimension)), ("index", .int(Int64(level.index)))]
            }
            if let member = layer.sourceMember {
                members += [("member_dimension", .string(member.dimension)), ("member_index", .int(Int64(member.index)))]
            }
            return .object(members)
        }
        return .object([("dimension", .string(vertical.name)), ("units", .string(vertical.coordinate.units)),
                        ("values", .array(vertical.values.map(JSONValue.double))), ("levels", .array(levels))])
    }

    /// The member axis of a (time, member, …, y, x) array: the cube's dimension, its member
    /// numbers, and per layer the member and the source field read.
    private func memberRecord(_ layers: [Int]) -> JSONValue {
        guard let axis = plan.members else { return .null }
        let fields: [JSONValue] = layers.map { index in
            let layer = plan.variables[index]
            var members: [(String, JSONValue)] = [("member", .int(Int64(layer.layer?.member.map { axis.values[$0] } ?? -1)))]
            if let level = layer.layer, level.hasLevel { members.append(("level", .string(level.label))) }
            members.append(("variable", .string(layer.sourceName)))
            return .object(members)
        }
        return .object([("dimension", .string(axis.name)), ("values", .array(axis.values.map { JSONValue.int(Int64($0)) })),
                        ("fields", .array(fields))])
    }

    /// For a cell grid read from a CF file (HEALPix in NetCDF/Zarr): the cell dimension, how many
    /// cells the (first) file stores, and the grid mapping's name and attributes as stored
    /// (ellipsoid included; the geometry used is spherical).
    private func cellStorageMembers(_ file: DatasetDescriptor) -> [(String, JSONValue)] {
        guard let storage = file.cellStorage else { return [] }
        let attributes: [(String, JSONValue)] = storage.mappingAttributes.map { attribute in
            switch attribute.value {
            case let .text(text): return (attribute.name, .string(text))
            case let .reals(values): return (attribute.name, values.count == 1 ? .double(values[0]) : .array(values.map(JSONValue.double)))
            case let .integers(values): return (attribute.name, values.count == 1 ? .int(values[0]) : .array(values.map(JSONValue.int)))
            }
        }
        return [("cells", .object([("dimension", .string(storage.dimension)), ("stored", .int(Int64(storage.storedCount))),
                                   ("grid_mapping", .string(storage.mappingName ?? "")), ("grid_mapping_attributes", .object(attributes))]))]
    }

    /// Which level of a multi-resolution dataset fed the variable: `level`, `level_path`, `levels`.
    private func levelMembers(_ file: DatasetDescriptor) -> [(String, JSONValue)] {
        guard let level = file.level, file.levels.count > 1 else { return [] }
        return [("level", .int(Int64(level.index))), ("level_path", .string(level.path)), ("levels", .int(Int64(file.levels.count)))]
    }

    /// When a COG overview fed the variable instead of the full grid: its level (1 = the finest
    /// overview) and the full grid's size; `grid` then describes the overview read.
    private func overviewMembers(_ source: SourcePlan) -> [(String, JSONValue)] {
        guard let level = source.overviewLevels.first, level > 0, let full = source.files.first?.grid else { return [] }
        return [("overview", .object([("level", .int(Int64(level))),
                                      ("full_size", .array([.int(Int64(full.width)), .int(Int64(full.height))]))]))]
    }

    /// For a source whose files of one date are mosaicked (or whose files have several grids):
    /// the rule, the number of distinct grids and their CRSs. `grid` then describes the first.
    private func mosaicMembers(_ source: SourcePlan) -> [(String, JSONValue)] {
        let tiled = source.grids.count > 1 || source.steps.contains { step in
            Set(step.map { source.files[$0.file].dates[$0.index] }).count < step.count
        }
        guard tiled else { return [] }
        var crss: [String] = []
        for grid in source.grids where !crss.contains(grid.crs.text) { crss.append(grid.crs.text) }
        return [("mosaic", .object([("rule", .string(source.mosaic.rawValue)), ("grids", .int(Int64(source.grids.count))),
                                    ("crs", .array(crss.map(JSONValue.string)))]))]
    }

    private func crsMembers(_ crs: CRSDefinition, _ description: CRSDescription?) -> [(String, JSONValue)] {
        guard let description else { return [("definition", .string(crs.text))] }
        var members: [(String, JSONValue)] = [("definition", .string(crs.text)), ("name", .string(description.name))]
        if let code = description.epsgCode { members.append(("epsg", .int(Int64(code)))) }
        members.append(("wkt2", .string(description.wkt2)))
        return members
    }

    private func gridMembers(_ grid: SourceGrid) -> [(String, JSONValue)] {
        if let cells = grid.cells {
            var members: [(String, JSONValue)] = [("size", .array([.int(Int64(grid.width))])), ("resolution", .string(cells.summary)),
                                                  ("units", .string("degrees")), ("extent", .array([-180, -90, 180, 90].map(JSONValue.double)))]
            if case let .healpix(nside, nested) = cells {
                members.append(("healpix", .object([("nside", .int(Int64(nside))), ("order", .string(nested ? "nested" : "ring"))])))
            }
            return members
        }
        if let geo = grid.geolocation {
            let lons = geo.longitudes.filter(\.isFinite), lats = geo.latitudes.filter(\.isFinite)
            return [("size", .array([.int(Int64(grid.width)), .int(Int64(grid.height))])), ("resolution", .string("curvilinear")),
                    ("units", .string("degrees")),
                    ("extent", .array([lons.min() ?? .nan, lats.min() ?? .nan, lons.max() ?? .nan, lats.max() ?? .nan].map(JSONValue.number)))]
        }
        let units = grid.isGeographic ? "degrees" : "m"
        var members: [(String, JSONValue)] = [("size", .array([.int(Int64(grid.width)), .int(Int64(grid.height))]))]
        if let x = grid.x.regular, let y = grid.y.regular {
            members.append(("resolution", .array([.double(abs(x.step)), .double(abs(y.step))])))
        } else {
            members.append(("resolution", .string("irregular")))
        }
        let xEdges = grid.x.outerEdges, yEdges = grid.y.outerEdges
        members += [("units", .string(units)),
                    ("extent", .array([min(xEdges.first, xEdges.last), min(yEdges.first, yEdges.last),
                                       max(xEdges.first, xEdges.last), max(yEdges.first, yEdges.last)].map(JSONValue.double)))]
        return members
    }

    private func timeMembers(_ source: SourcePlan, _ variable: VariablePlan) -> [(String, JSONValue)] {
        var used = source.steps.flatMap { $0 }.map { ($0.file, $0.index) }
        used += variable.upsampled.values.flatMap { $0.map { ($0.file, $0.index) } }
        let dates = Set(used.map { PairKey(file: $0.0, index: $0.1) }).sorted().map { source.files[$0.file].dates[$0.index] }
        guard let first = dates.first, let last = dates.last, let units = source.files[0].timeUnits else {
            return [("steps", .int(0))]
        }
        let step: JSONValue = dates.count < 2 ? .null : .string(ISODuration.of(steps: dates.map(units.absoluteSeconds)) ?? "irregular")
        return [("first", .string(first.iso8601(alwaysTime: true))), ("last", .string(last.iso8601(alwaysTime: true))),
                ("step", step), ("steps", .int(Int64(dates.count))), ("calendar", .string(units.calendar.cfName)),
                ("units", .string(units.description))]
    }

    // MARK: - The steps

    private func steps(_ variable: VariablePlan, scale: SpatialScale?, clipped: Int) -> [LineageStep] {
        let source = plan.sources[variable.source]
        let descriptor = source.files[0].variable(variable.sourceName)
        let packing = descriptor?.packing ?? CFPacking()
        var steps: [LineageStep] = []
        steps.append(LineageStep(.decode, [
            ("dtype", .string(descriptor?.dataType.rawValue ?? "unknown")), ("scale_factor", .double(packing.scaleFactor)),
            ("add_offset", .double(packing.addOffset)), ("missing_values", .array(packing.missingValues.map(JSONValue.number))),
        ], effect: AccuracyNotes.decode(descriptor?.dataType ?? .float32, packing)))
        let sourceCRS = facts.sourceCRS[variable.source]
        if source.grid.crs != plan.grid.crs {
            steps.append(LineageStep(.reproject, [
                ("source_crs", .string(sourceCRS.map { Self.crsLabel($0) } ?? source.grid.crs.text)),
                ("target_crs", .string(Self.crsLabel(plan.crs))),
                ("max_error", .double(plan.recipe.grid.maxError)), ("max_error_units", .string("source pixels")),
            ], effect: AccuracyNotes.reproject(maxError: plan.recipe.grid.maxError, projVersion: PROJLibrary.version)))
        }
        var resample: [(String, JSONValue)] = [("method", .string(variable.method.rawValue))]
        if let scale {
            let direction = scale.factor > 1.05 ? "up" : scale.factor < 0.95 ? "down" : "same"
            resample += [("scale_factor_x", .double(Self.rounded(1 / scale.sourcePixelsPerTargetPixel.x))),
                         ("scale_factor_y", .double(Self.rounded(1 / scale.sourcePixelsPerTargetPixel.y))),
                         ("direction", .string(direction)),
                         ("source_pixel_m", .double(Self.rounded(scale.sourcePixelMetres))),
                         ("target_pixel_m", .double(Self.rounded(scale.targetPixelSize)))]
        }
        resample.append(("coverage", .double(Self.rounded(source.coverage))))
        var effect = AccuracyNotes.resample(variable.method, scale: scale)
        if source.coverage < 0.999 { effect += String(format: "; the source covers about %.0f%% of the target grid, fill elsewhere", source.coverage * 100) }
        steps.append(LineageStep(.resample, resample, effect: effect))
        if let note = variable.attributes[named: "cubegen_processing"]?.text, let calendarNote = note.split(separator: ";").first(where: { $0.contains("calendar") }) {
            steps.append(LineageStep(.calendar, [
                ("source_calendar", .string(source.files[0].timeUnits?.calendar.cfName ?? "none")),
                ("target_calendar", .string(plan.time.units.calendar.cfName)),
            ], effect: calendarNote.trimmingCharacters(in: .whitespaces).replacingOccurrences(of: "time: ", with: "")))
        }
        if let aggregation = variable.aggregation, let period = plan.time.period {
            let counts = source.steps.map(\.count)
            steps.append(LineageStep(.aggregateTime, [
                ("method", .string(aggregation.rawValue)), ("period", .string(period.description)),
                ("anchor", .string(plan.recipe.time.periodAnchor ?? "start")), ("label", .string(plan.recipe.time.label ?? "start")),
                ("min_count", .int(Int64(variable.minCount))),
                ("steps_per_period", .array([.int(Int64(counts.min() ?? 0)), .int(Int64(counts.max() ?? 0))])),
            ], effect: AccuracyNotes.aggregate(aggregation, period: period.description, steps: (counts.min() ?? 0)...(counts.max() ?? 0),
                                               minCount: variable.minCount)))
        }
        if !variable.upsampled.isEmpty, let method = plan.sources[variable.source].section.variables.first(where: { $0.keyPath == variable.keyPath })?.upsampling {
            steps.append(LineageStep(.upsampleTime, [("method", .string(method)), ("periods", .int(Int64(variable.upsampled.count)))],
                                     effect: "\(variable.upsampled.count) period(s) without a source step are filled by \(method) interpolation in time: estimated, not observed"))
        }
        var cast: [(String, JSONValue)] = [("dtype", .string(variable.dataType.rawValue))]
        if let s = variable.scaleFactor { cast.append(("scale_factor", .double(s))) }
        if let o = variable.addOffset { cast.append(("add_offset", .double(o))) }
        cast.append(("fill_value", JSONValue.number(variable.fillValue)))
        cast.append(("clipped_values", .int(Int64(clipped))))
        steps.append(LineageStep(.cast, cast, effect: AccuracyNotes.cast(variable.dataType, scale: variable.scaleFactor, offset: variable.addOffset,
                                                                          fill: variable.fillValue, clipped: clipped)))
        return steps
    }

    private static func crsLabel(_ crs: CRSDescription) -> String {
        if let code = crs.epsgCode { return "EPSG:\(code) (\(crs.name))" }
        if crs.name != "unknown" { return crs.name }
        return crs.projString ?? (crs.isGeographic ? "geographic longitude/latitude" : "projected (see wkt2)")
    }

    private static func rounded(_ value: Double) -> Double {
        guard value.isFinite, value != 0 else { return value }
        let digits = 4 - Int(log10(abs(value)).rounded(.up))
        let factor = pow(10, Double(digits))
        return (value * factor).rounded() / factor
    }
}

/// A (file, step) pair that sorts in file then step order.
private struct PairKey: Hashable, Comparable {
    var file: Int
    var index: Int
    static func < (a: PairKey, b: PairKey) -> Bool { (a.file, a.index) < (b.file, b.index) }
}
