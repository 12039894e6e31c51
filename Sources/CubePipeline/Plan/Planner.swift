import CubeCore
import CubeStorage
import CubeProjection
import CubeRecipe
import CubeResampling
import Foundation
import Zarr

/// Validates a recipe against its inputs and fixes the cube: stage 4 of the pipeline.
enum Planner {
    static func plan(_ recipe: Recipe, registries: Registries, inputCache: InputCache) async throws -> CubePlan {
        var warnings = recipe.warnings
        try checkUnsupported(recipe, warnings: &warnings)
        // The target grid (PROJ's database) is built in a child task while the inputs are
        // described (netCDF, HDF5, storage): neither needs the other, but a STAC search and the
        // choice of a multiscale level wait for the grid. A grid error still comes first.
        async let built = TargetGridBuilder.build(recipe)
        var inventories: [SourceInventory] = []
        do {
            for (recipeIndex, section) in recipe.sources.enumerated() {
                let target = section.stac != nil ? try await built.grid : nil
                for var inventory in try await SourceInventory.build(section, recipe: recipe, registries: registries, cache: inputCache,
                                                                     target: target) {
                    if inventory.first.levels.count > 1 {
                        let level = LevelChoice.pick(inventory.first.levels, target: try await built.grid)
                        if level != (inventory.first.level?.index ?? 0) { inventory = try await inventory.atLevel(level, recipe: recipe) }
                    }
                    inventory.recipeIndex = recipeIndex
                    inventories.append(inventory)
                }
            }
        } catch {
            _ = try await built
            throw error
        }
        let (grid, crs) = try await built
        let time = try timeAxis(recipe, inventories)
        var sources: [SourcePlan] = []
        var variables: [VariablePlan] = []
        var axes = ExtraAxes()
        for (index, inventory) in inventories.enumerated() {
            let steps = time.steps[index]
            var plan = SourcePlan(section: inventory.section, store: inventory.store, files: inventory.files, steps: steps,
                                  grid: inventory.grid, footprint: nil)
            plan.inputs = inventory.inputs
            plan.recipeIndex = inventory.recipeIndex
            (plan.grids, plan.fileGrid) = inventory.grids
            plan.mosaic = inventory.section.mosaic
            plan.scale = SpatialScale.measure(target: grid, source: inventory.grid)
            // Large down-sampling reads a COG's overview instead of its full grid.
            let overviews = OverviewChoice.choose(grids: plan.grids, fileGrid: plan.fileGrid, files: plan.files, target: grid)
            plan.overviewLevels = overviews.map(\.level)
            plan.grids = overviews.map(\.grid)
            plan.grid = plan.grids[0]
            let upsampling = (plan.scale?.factor ?? 1) >= 1
            var methods: [VariablePlan] = []
            for section in inventory.section.variables {
                if let numbers = section.members {
                    methods += try memberPlans(section, members: numbers, source: index, inventory: inventory, recipe: recipe,
                                               upsampling: upsampling, axes: &axes)
                    continue
                }
                guard let levels = section.levels else {
                    methods.append(try variablePlan(section, source: index, inventory: inventory, recipe: recipe, upsampling: upsampling))
                    continue
                }
                methods += try layerPlans(section, levels: levels, source: index, inventory: inventory, recipe: recipe,
                                          upsampling: upsampling, vertical: &axes.vertical)
            }
            // One footprint per distinct grid (the tiles of a mosaic each have theirs).
            plan.footprints = []
            var coverage = 0.0
            for sourceGrid in plan.grids {
                let centres = try footprint(of: grid, on: sourceGrid, margin: methods.map(\.method.margin).max() ?? 1)
                var window = centres.window
                coverage += centres.coverage
                if methods.contains(where: { $0.method.isArea }), let corners = try footprint(of: grid.cornerLattice, on: sourceGrid, margin: 1).window {
                    window = window.map { $0.union(corners) } ?? corners
                }
                plan.footprints.append(window)
                plan.cellSubsets.append(try CellReach.subset(of: grid, on: sourceGrid))
            }
            if plan.cellSubsets.allSatisfy({ $0 == nil }) { plan.cellSubsets = [] }
            plan.footprint = plan.footprints[0]
            if plan.grids.count > 1 {
                let margin = methods.map(\.method.margin).max() ?? 1
                plan.targetWindows = plan.grids.map { SourceReach.targetWindow(of: $0, on: grid, margin: margin) }
            }
            // Tiles may overlap: the sum of their coverages bounds the mosaic's from above.
            plan.coverage = min(1, coverage)
            methods = methods.map { notes(on: $0, recipe: recipe, inventory: inventory, steps: steps, time: time.axis, coverage: plan.coverage) }
            if plan.footprints.allSatisfy({ $0 == nil }) {
                warnings.append(Diagnostic(.warning, key: inventory.section.keyPath,
                    "source '\(inventory.section.name)' does not overlap the target grid; its variables will be all fill",
                    at: recipe.location(of: inventory.section.keyPath)))
            }
            variables += methods
            sources.append(plan)
        }
        try checkVertical(axes.vertical, recipe: recipe)
        try checkMembers(axes.members, recipe: recipe)
        let chunkShape = try chunks(recipe, grid: grid, timeCount: time.axis.count, axes: axes)
        let format: ZarrFormat = recipe.output.format == "zarr3" ? .v3 : .v2
        let compressor = try compressorPlan(recipe, registries: registries, format: format)
        var plan = CubePlan(recipe: recipe, grid: grid, crs: crs, time: time.axis, sources: sources, variables: variables,
                            chunkShape: chunkShape, compressor: compressor, warnings: warnings)
        plan.format = format
        plan.vertical = axes.vertical
        plan.members = axes.members
        plan.extraChunks = try extraChunks(recipe, axes: axes)
        plan.checksum = recipe.output.checksum == "crc32c"
        plan.shardShape = try shards(recipe, grid: grid, chunks: chunkShape, timeCount: time.axis.count, axes: axes)
        return plan
    }

    /// Rejects recipe settings this version cannot honour yet, instead of ignoring them.
    private static func checkUnsupported(_ recipe: Recipe, warnings: inout [Diagnostic]) throws {
        for key in ["period_anchor", "label", "calendar"] where recipe.time.period == nil && recipe.locations["time.\(key)"] != nil {
            warnings.append(Diagnostic(.warning, key: "time.\(key)", "has no effect without time.period", at: recipe.locations["time.\(key)"]))
        }
        do {
            let url = try StorageURL(recipe.output.path)
            if url.scheme != "file" && url.path.isEmpty {
                throw recipe.error("output.path", "'\(recipe.output.path)' is a bucket root; name a prefix such as '\(recipe.output.path)/NAME.zarr'")
            }
        } catch let error as StorageError {
            throw recipe.error("output.path", error.reason)
        }
        for source in recipe.sources {
            for variable in source.variables {
                if let method = variable.resampling, ResamplingMethod(rawValue: method) == nil {
                    throw recipe.error("\(variable.keyPath).resampling",
                        "resampling '\(method)' is not supported yet (supported: \(ResamplingMethod.allCases.map(\.rawValue).joined(separator: ", ")))")
                }
                for key in ["aggregation", "min_count", "upsampling"] where recipe.time.period == nil && recipe.locations["\(variable.keyPath).\(key)"] != nil {
                    warnings.append(Diagnostic(.warning, key: "\(variable.keyPath).\(key)", "has no effect without time.period",
                                               at: recipe.locations["\(variable.keyPath).\(key)"]))
                }
            }
        }
    }

    /// The output time axis and, per source, the file steps feeding each output step: the first
    /// source's steps within start…end, or the periods of `time.period`.
    private static func timeAxis(_ recipe: Recipe, _ inventories: [SourceInventory])
        throws -> (axis: TimeAxisPlan, steps: [[[(file: Int, index: Int)]]]) {
        if recipe.time.period != nil { return try periodAxis(recipe, inventories) }
        func selected(_ inventory: SourceInventory) throws -> [SourceInventory.Step] {
            guard let calendar = inventory.first.timeUnits?.calendar else { return [] }
            for (key, date) in [("time.start", recipe.time.start), ("time.end", recipe.time.end)] {
                if let date, !calendar.isValid(year: date.year, month: date.month, day: date.day) {
                    throw recipe.error(key, "\(date) is not a date of the \(calendar.cfName) calendar of source '\(inventory.section.name)'")
                }
            }
            return inventory.steps.filter { within($0.date, recipe) }
        }
        // Steps of one date (mosaic tiles) feed one output step together.
        func grouped(_ steps: [SourceInventory.Step]) -> [(date: CalendarDate, parts: [(file: Int, index: Int)])] {
            var groups: [(date: CalendarDate, parts: [(file: Int, index: Int)])] = []
            for step in steps {
                if let last = groups.last, last.date == step.date {
                    groups[groups.count - 1].parts.append((step.file, step.index))
                } else {
                    groups.append((step.date, [(step.file, step.index)]))
                }
            }
            return groups
        }
        guard let reference = inventories.first(where: { !$0.section.broadcastTime }) else {
            throw recipe.error("sources", "every source is static (broadcast_time: true); a cube needs a source with a time axis")
        }
        let referenceSteps = grouped(try selected(reference))
        guard !referenceSteps.isEmpty else {
            throw recipe.error("time", "no time step of source '\(reference.section.name)' lies within time.start…time.end "
                + "(its steps run from \(reference.steps.first?.date.description ?? "?") to \(reference.steps.last?.date.description ?? "?"))")
        }
        var all: [[[(file: Int, index: Int)]]] = []
        for inventory in inventories {
            if inventory.section.broadcastTime {
                // A static source's one step (all its files: tiles of one mosaic) feeds every output step.
                all.append(Array(repeating: grouped(inventory.steps).first?.parts ?? [], count: referenceSteps.count))
                continue
            }
            let steps = grouped(try selected(inventory))
            if inventory.first.timeUnits?.calendar != reference.first.timeUnits?.calendar || steps.map(\.date) != referenceSteps.map(\.date) {
                throw recipe.error(inventory.section.keyPath,
                    "source '\(inventory.section.name)' has other time steps or another calendar than '\(reference.section.name)'; "
                    + "give time.period to put sources with different steps on one time axis")
            }
            all.append(steps.map(\.parts))
        }
        guard let units = reference.first.timeUnits else { throw CubeError(.internalInconsistency, "reference source has no time units") }
        let dates = referenceSteps.map(\.date)
        return (TimeAxisPlan(units: units, dates: dates, values: dates.map(units.value), bounds: nil, period: nil), all)
    }

    /// Whether a step's date label lies within the recipe's start…end (end: the whole day).
    private static func within(_ date: CalendarDate, _ recipe: Recipe) -> Bool {
        if let start = recipe.time.start, date < start { return false }
        if let end = recipe.time.end {
            if end.secondOfDay == 0 {
                if (date.year, date.month, date.day) > (end.year, end.month, end.day) { return false }
            } else if end < date {
                return false
            }
        }
        return true
    }

    /// The periods of `time.period` in the output calendar; each source's steps go to the period
    /// holding their date label.
    private static func periodAxis(_ recipe: Recipe, _ inventories: [SourceInventory])
        throws -> (axis: TimeAxisPlan, steps: [[[(file: Int, index: Int)]]]) {
        guard let periodText = recipe.time.period, let period = TimePeriod(parsing: periodText) else {
            throw recipe.error("time.period", "'\(recipe.time.period ?? "")' is not a period")
        }
        let calendar = CFCalendar(cfName: recipe.time.calendar ?? "proleptic_gregorian") ?? .prolepticGregorian
        for (key, date) in [("time.start", recipe.time.start), ("time.end", recipe.time.end)] {
            if let date, !calendar.isValid(year: date.year, month: date.month, day: date.day) {
                throw recipe.error(key, "\(date) is not a date of the \(calendar.cfName) calendar (the output calendar, time.calendar)")
            }
        }
        let allDates = inventories.filter { !$0.section.broadcastTime }.flatMap { $0.steps.map(\.date) }.filter { within($0, recipe) }
        guard let earliest = allDates.min(), let latest = allDates.max() else {
            throw recipe.error("time", "no source time step lies within time.start…time.end")
        }
        func clamped(_ d: CalendarDate) -> CalendarDate {
            CalendarDate(year: d.year, month: d.month, day: min(d.day, calendar.daysIn(month: d.month, year: d.year)))
        }
        let binning: TimeBinning
        do {
            binning = try TimeBinning(start: recipe.time.start ?? clamped(earliest), end: recipe.time.end ?? clamped(latest), period: period,
                                      anchor: PeriodAnchor(rawValue: recipe.time.periodAnchor ?? "start") ?? .start, calendar: calendar)
        } catch let error as CubeError {
            throw recipe.error("time", error.message)
        }
        let units = CFTimeUnits(unitName: "days", unitSeconds: 86400,
                                reference: CalendarDate(year: binning.bins[0].start.year, month: 1, day: 1), calendar: calendar)
        let label = PeriodLabel(rawValue: recipe.time.label ?? "start") ?? .start
        var all: [[[(file: Int, index: Int)]]] = []
        for inventory in inventories {
            if inventory.section.broadcastTime {
                all.append(Array(repeating: inventory.steps.map { (file: $0.file, index: $0.index) }, count: binning.bins.count))
                continue
            }
            var steps = [[(file: Int, index: Int)]](repeating: [], count: binning.bins.count)
            for step in inventory.steps where within(step.date, recipe) {
                if let bin = binning.bin(of: step.date) { steps[bin].append((step.file, step.index)) }
            }
            all.append(steps)
        }
        let indices = Array(binning.bins.indices)
        return (TimeAxisPlan(units: units, dates: binning.bins.map(\.start), values: indices.map { binning.label($0, label, units: units) },
                             bounds: indices.map { binning.bounds($0, units: units) }, period: period), all)
    }

    /// Fills in a variable's up-sampled periods and records what the cube does to it in time and
    /// space (calendar mapping, periods without data, partial coverage) in `cubegen_processing`.
    private static func notes(on variable: VariablePlan, recipe: Recipe, inventory: SourceInventory,
                              steps: [[(file: Int, index: Int)]], time: TimeAxisPlan, coverage: Double) -> VariablePlan {
        var variable = variable
        var notes: [String] = []
        let section = inventory.section.variables.first { $0.keyPath == variable.keyPath }
        if let bounds = time.bounds {
            let outputCalendar = time.units.calendar
            let gregorian: Set<CFCalendar> = [.standard, .prolepticGregorian]
            let sameAfter1582 = gregorian.contains(outputCalendar) && (inventory.first.timeUnits.map { gregorian.contains($0.calendar) } ?? false)
                && (inventory.steps.first?.date.year ?? 0) > 1582
            if let sourceCalendar = inventory.first.timeUnits?.calendar, sourceCalendar != outputCalendar, !sameAfter1582 {
                notes.append("time: source steps in the \(sourceCalendar.cfName) calendar placed into \(outputCalendar.cfName) periods by date label (no day-of-year rescaling)")
            }
            let empty = steps.indices.filter { steps[$0].isEmpty }
            if !empty.isEmpty {
                if let method = section?.upsampling {
                    variable.upsampled = upsample(method, steps: inventory.steps, empty: empty, time: time, bounds: bounds)
                    notes.append("time: \(empty.count) of \(steps.count) periods have no source step and are filled by \(method) up-sampling"
                        + (variable.upsampled.count < empty.count ? " where neighbouring steps exist (\(empty.count - variable.upsampled.count) left as fill)" : ""))
                } else {
                    notes.append("time: \(empty.count) of \(steps.count) periods have no source step and are fill")
                }
            }
        }
        if coverage < 0.999 {
            notes.append(String(format: "space: the source covers about %.0f%% of the target grid; fill elsewhere", coverage * 100))
        }
        if !notes.isEmpty { variable.attributes.append(Attribute("cubegen_processing", .text(notes.joined(separator: "; ")))) }
        return variable
    }

    /// Source steps and weights for periods without any step: `previous` takes the last step at or
    /// before the period's start, `nearest` the step closest to its time label (the earlier on a
    /// tie), `linear` interpolates between the steps around the label (the one there is, at an end).
    /// Times compare by date label in the output calendar.
    private static func upsample(_ method: String, steps: [SourceInventory.Step], empty: [Int], time: TimeAxisPlan,
                                 bounds: [(Double, Double)]) -> [Int: [(file: Int, index: Int, weight: Double)]] {
        let calendar = time.units.calendar
        func seconds(_ d: CalendarDate) -> Double {
            Double(calendar.dayNumber(year: d.year, month: d.month, day: min(d.day, calendar.daysIn(month: d.month, year: d.year)))) * 86400
                + d.secondOfDay
        }
        let times = steps.map { seconds($0.date) }
        let origin = time.units.absoluteSeconds(time.units.reference)
        var result: [Int: [(file: Int, index: Int, weight: Double)]] = [:]
        // Every step of the chosen step's date (the tiles of a mosaic), with the weight.
        func parts(_ k: Int, _ weight: Double) -> [(file: Int, index: Int, weight: Double)] {
            steps.indices.filter { steps[$0].date == steps[k].date }.map { (steps[$0].file, steps[$0].index, weight) }
        }
        for t in empty {
            let label = origin + time.values[t] * time.units.unitSeconds, start = origin + bounds[t].0 * time.units.unitSeconds
            let before = times.lastIndex { $0 <= label }, after = times.firstIndex { $0 > label }
            switch method {
            case "previous":
                if let k = times.lastIndex(where: { $0 <= start }) { result[t] = parts(k, 1) }
            case "nearest":
                let candidates = [before, after].compactMap { $0 }
                if let k = candidates.min(by: { abs(times[$0] - label) < abs(times[$1] - label) || (abs(times[$0] - label) == abs(times[$1] - label) && $0 < $1) }) {
                    result[t] = parts(k, 1)
                }
            default:
                switch (before, after) {
                case let (a?, b?):
                    let span = times[b] - times[a]
                    result[t] = parts(a, (times[b] - label) / span) + parts(b, (label - times[a]) / span)
                case let (a?, nil): result[t] = parts(a, 1)
                case let (nil, b?): result[t] = parts(b, 1)
                default: break
                }
            }
        }
        return result
    }

    /// netCDF's default fill value of an integer type (used when a categorical source declares none).
    private static func defaultFill(_ type: DataType) -> Double {
        switch type {
        case .int8: return -127
        case .uint8: return 255
        case .int16: return -32767
        case .uint16: return 65535
        case .int32: return -2_147_483_647
        case .uint32: return 4_294_967_295
        case .int64: return -9_223_372_036_854_774_784
        case .uint64: return 18_446_744_073_709_549_568
        case .float32, .float64: return .nan
        }
    }

    private static let droppedAttributes: Set<String> = [
        "_FillValue", "missing_value", "scale_factor", "add_offset", "valid_range", "valid_min", "valid_max", "grid_mapping",
        "coordinates", "_ChunkSizes", "_Storage", "_DeflateLevel", "_Shuffle", "_Endianness", "_NoFill", "_Unsigned",
        "chunksizes", "_CRS", "bounds",
    ]

    /// The plan of one variable. `upsampling`: whether the target is finer than the source at the
    /// grid's centre, which picks `resampling.up` or `resampling.down` (and their defaults).
    private static func variablePlan(_ variable: VariableSection, source: Int, inventory: SourceInventory,
                                     recipe: Recipe, upsampling: Bool, otherDimensions: [String] = []) throws -> VariablePlan {
        var variable = variable
        variable.sourceName = FieldSelection.portableName(try FieldSelection.sourceName(of: variable, in: inventory.first, recipe: recipe),
                                                          in: inventory.files)
        guard let descriptor = inventory.first.variable(variable.sourceName) else {
            let available = inventory.first.variables.map(\.name)
            var message = "'\(inventory.first.location)' has no gridded variable '\(variable.sourceName)' (available: \(available.joined(separator: ", ")))"
            if let close = Suggestions.closest(to: variable.sourceName, among: available, maxEdits: 2) {
                message += "; did you mean '\(close)'?"
            }
            throw recipe.error(variable.keyPath, message)
        }
        let file = inventory.first
        for (dimension, length) in zip(descriptor.dimensions, descriptor.shape)
        where ![file.spatialDimensions.x, file.spatialDimensions.y, file.timeDimension].contains(dimension) && !otherDimensions.contains(dimension)
            && length != 1 {
            let hint = file.levelCoordinates[dimension] != nil ? "; a vertical dimension: choose levels with 'levels:'"
                : file.memberCoordinates[dimension] != nil ? "; ensemble members: choose them with 'members:'" : ""
            throw recipe.error(variable.keyPath,
                "variable '\(variable.sourceName)' in '\(file.location)' has dimension '\(dimension)' of length \(length); only time, y, x, a vertical dimension with 'levels:' and a member dimension with 'members:' are supported\(hint)")
        }
        guard file.timeDimension.map(descriptor.dimensions.contains) ?? false else {
            throw recipe.error(variable.keyPath, "variable '\(variable.sourceName)' in '\(file.location)' has no time dimension: a static field; read it from a source of its own with broadcast_time: true")
        }
        for other in inventory.files.dropFirst() where other.variable(variable.sourceName) == nil {
            throw recipe.error(variable.keyPath, "'\(other.location)' has no variable '\(variable.sourceName)'")
        }
        let isCategorical = !descriptor.dataType.isFloatingPoint && descriptor.packing.scaleFactor == 1 && descriptor.packing.addOffset == 0
        let method: ResamplingMethod
        if let single = variable.resampling.flatMap(ResamplingMethod.init) {
            method = single
        } else if upsampling {
            method = variable.resamplingUp.flatMap(ResamplingMethod.init) ?? (isCategorical ? .nearest : .bilinear)
        } else {
            method = variable.resamplingDown.flatMap(ResamplingMethod.init) ?? (isCategorical ? .mode : .average)
        }
        if let cells = inventory.grid.cells, [.cubic, .cubicSpline, .lanczos].contains(method) {
            throw recipe.error(variable.keyPath,
                "resampling '\(method.rawValue)' has no cell-grid form (source '\(inventory.first.location)' is \(cells.summary)); use nearest, bilinear or an area method")
        }
        // Integer and categorical variables keep their type and fill value under methods that
        // pick source values, unless the recipe says otherwise.
        let picksValues: Set<ResamplingMethod> = [.nearest, .mode, .min, .max]
        let picksInTime = recipe.time.period == nil || ["first", "last", "min", "max"].contains(variable.aggregation ?? "mean")
        if !variable.dataTypeGiven, isCategorical, picksValues.contains(method), picksInTime {
            variable.dataType = descriptor.dataType
            variable.fillValue = variable.fillValue ?? descriptor.packing.missingValues.first ?? defaultFill(descriptor.dataType)
        }
        var attributes = descriptor.attributes.filter { !droppedAttributes.contains($0.name) }
        if variable.dataType.isFloatingPoint, variable.scaleFactor == nil, variable.addOffset == nil {
            // Physical values: nothing to add.
        } else {
            attributes.removeAll { ["scale_factor", "add_offset"].contains($0.name) }
        }
        let aggregation = recipe.time.period == nil ? nil : (variable.aggregation.flatMap(TemporalAggregation.init) ?? .mean)
        if aggregation == .count { attributes.removeAll { ["units", "standard_name"].contains($0.name) }; attributes.append(Attribute("units", .text("1"))) }
        if let aggregation {
            let existing = attributes[named: "cell_methods"]?.text.map { $0 + " " } ?? ""
            attributes.removeAll { $0.name == "cell_methods" }
            attributes.append(Attribute("cell_methods", .text(existing + aggregation.cellMethod)))
        }
        return VariablePlan(name: variable.name, source: source, sourceName: variable.sourceName, method: method,
                            aggregation: aggregation, minCount: variable.minCount ?? 1, dataType: variable.dataType, scaleFactor: variable.scaleFactor, addOffset: variable.addOffset,
                            fillValue: variable.fillValue ?? .nan, attributes: attributes, keyPath: variable.keyPath)
    }

    /// The plans of a variable with `levels`: one layer per level, each planned as a (time, y, x)
    /// variable, named `NAME@LEVEL` inside the run. The cube's vertical axis is the first such
    /// variable's; every other must have the same levels.
    private static func layerPlans(_ section: VariableSection, levels: [Double], source: Int, inventory: SourceInventory, recipe: Recipe,
                                   upsampling: Bool, vertical: inout VerticalAxisPlan?, memberDimension: String? = nil) throws -> [VariablePlan] {
        let resolution = try VerticalLevels.resolve(section, levels: levels, inventory: inventory, recipe: recipe)
        let axis = VerticalAxisPlan(coordinate: resolution.coordinate, values: resolution.values, labels: resolution.layers.map(\.label))
        if let vertical, vertical.coordinate.kind != axis.coordinate.kind || vertical.values != axis.values {
            throw recipe.error("\(section.keyPath).levels",
                "the cube has one vertical axis: '\(section.name)' asks for \(axis.name) \(axis.labels.joined(separator: ", ")) but an earlier variable for \(vertical.name) \(vertical.labels.joined(separator: ", "))")
        }
        vertical = axis
        return try resolution.layers.enumerated().map { index, layer in
            var plan = try variablePlan(layer.section, source: source, inventory: inventory, recipe: recipe, upsampling: upsampling,
                                        otherDimensions: [layer.sourceLevel?.dimension, memberDimension].compactMap { $0 })
            plan.name = "\(section.name)@\(layer.label.replacingOccurrences(of: " ", with: ""))"
            plan.layer = VariableLayer(array: section.name, index: index, label: layer.label)
            plan.sourceLevel = layer.sourceLevel
            return plan
        }
    }

    /// The plans of a variable with `members` (DESIGN.md §16): per member, one (time, y, x) plan
    /// or the layers of its `levels`, named `NAME@mN` (`NAME@mN@LEVEL`) inside the run. The cube's
    /// member axis is the first such variable's; every other must have the same members.
    private static func memberPlans(_ section: VariableSection, members numbers: [Int], source: Int, inventory: SourceInventory,
                                    recipe: Recipe, upsampling: Bool, axes: inout ExtraAxes) throws -> [VariablePlan] {
        let axis = MemberAxisPlan(values: numbers)
        if let members = axes.members, members != axis {
            throw recipe.error("\(section.keyPath).members",
                "the cube has one member axis: '\(section.name)' asks for members \(numbers.map(String.init).joined(separator: ", ")) but an earlier variable for \(members.values.map(String.init).joined(separator: ", "))")
        }
        axes.members = axis
        // Members along a dimension of one variable (NetCDF, Zarr), else one field each (GRIB).
        let members: [(section: VariableSection, sourceMember: (dimension: String, index: Int)?)]
        if let along = try EnsembleMembers.alongDimension(section, members: numbers, inventory: inventory, recipe: recipe) {
            members = along.indices.map { (section, (along.dimension, $0)) }
        } else {
            members = try EnsembleMembers.sections(section, members: numbers, inventory: inventory, recipe: recipe).map { ($0, nil) }
        }
        var plans: [VariablePlan] = []
        for (position, member) in members.enumerated() {
            var memberPlans: [VariablePlan]
            let memberDimension = member.sourceMember?.dimension
            if let levels = section.levels {
                memberPlans = try layerPlans(member.section, levels: levels, source: source, inventory: inventory, recipe: recipe,
                                             upsampling: upsampling, vertical: &axes.vertical, memberDimension: memberDimension)
            } else {
                var plan = try variablePlan(member.section, source: source, inventory: inventory, recipe: recipe, upsampling: upsampling,
                                            otherDimensions: [memberDimension].compactMap { $0 })
                plan.layer = VariableLayer(array: section.name, index: 0, label: "", hasLevel: false)
                memberPlans = [plan]
            }
            for index in memberPlans.indices {
                memberPlans[index].name = "\(section.name)@m\(numbers[position])" + memberPlans[index].name.dropFirst(section.name.count)
                memberPlans[index].layer?.member = position
                memberPlans[index].layer?.memberLabel = "member \(numbers[position])"
                memberPlans[index].sourceMember = member.sourceMember
            }
            plans += memberPlans
        }
        return plans
    }

    /// What a cube with a member axis cannot have: variables without members beside ones with
    /// (one set of dimensions).
    private static func checkMembers(_ members: MemberAxisPlan?, recipe: Recipe) throws {
        guard members != nil else { return }
        for source in recipe.sources {
            for variable in source.variables where variable.members == nil {
                throw recipe.error(variable.keyPath,
                    "the cube has a member axis and every variable must have it: give '\(variable.name)' members too, or build a cube of its own for the other variables")
            }
        }
    }

    /// What a cube with a vertical axis cannot have: variables without levels beside ones with
    /// (xcube and the catalogue want one set of dimensions).
    private static func checkVertical(_ vertical: VerticalAxisPlan?, recipe: Recipe) throws {
        guard let vertical else { return }
        for source in recipe.sources {
            for variable in source.variables where variable.levels == nil {
                throw recipe.error(variable.keyPath,
                    "the cube has a vertical axis (\(vertical.name)) and every variable must have it: give '\(variable.name)' levels too, or build a cube of its own for the (time, y, x) variables")
            }
        }
    }

    /// The axes between time and y that variables with `members` or `levels` give the cube.
    struct ExtraAxes {
        var members: MemberAxisPlan?
        var vertical: VerticalAxisPlan?
    }

    /// The source window covering the target grid, estimated on a lattice of target pixels with a
    /// safety margin, and the fraction of lattice points that fall on the source. Executors fall
    /// back to direct reads where a chunk needs more.
    private static func footprint(of target: RegularGrid, on source: SourceGrid, margin: Int) throws -> (window: PixelWindow?, coverage: Double) {
        // One batch for the whole sample: the window over all points is the union of each point's.
        let mapping = try FootprintSamples.mapping(of: target, on: source)
        let inside = mapping.pointsOnSource, total = mapping.width * mapping.height
        guard let window = mapping.sourceWindow(margin: margin + 2) else { return (nil, 0) }
        let r = max(0, window.rows.lowerBound - 2)..<min(source.height, window.rows.upperBound + 2)
        let c = max(0, window.columns.lowerBound - 2)..<min(source.width, window.columns.upperBound + 2)
        return (PixelWindow(rows: r, columns: c), Double(inside) / Double(max(1, total)))
    }

    /// The chunk sizes along the member and level axes (in `CubePlan.extraDimensions` order):
    /// `output.chunks` may give several members or levels per chunk (default 1; at most the axis
    /// length, larger is clipped); `output.shards` along them must equal the chunk size (a task
    /// computes the layers of one chunk together).
    private static func extraChunks(_ recipe: Recipe, axes: ExtraAxes) throws -> [Int] {
        var sizes: [Int] = []
        let named = (axes.members.map { [($0.name, $0.count, "member")] } ?? []) + (axes.vertical.map { [($0.name, $0.count, "level")] } ?? [])
        for (name, count, what) in named {
            let chunk = recipe.output.chunks[name] ?? 1
            guard chunk >= 1 else { throw recipe.error("output.chunks.\(name)", "\(chunk) \(what)s per chunk: give 1 or more") }
            let size = min(chunk, count)
            if let shard = recipe.output.shards[name], shard != chunk, shard != size {
                throw recipe.error("output.shards.\(name)",
                    "\(shard) \(what)s per shard: a shard holds the \(what)s of one chunk along '\(name)' (give \(size), the chunk size)")
            }
            sizes.append(size)
        }
        return sizes
    }

    private static func chunks(_ recipe: Recipe, grid: RegularGrid, timeCount: Int, axes: ExtraAxes) throws -> ChunkShape {
        let given = try sizes(recipe, "chunks", grid: grid, axes: axes)
        let (xName, yName) = grid.isGeographic ? ("lon", "lat") : ("x", "y")
        return ChunkShape(time: min(given["time"] ?? 1, timeCount), y: min(given[yName] ?? 512, grid.height),
                          x: min(given[xName] ?? 512, grid.width))
    }

    /// `output.shards`: per dimension a multiple of the chunk size (default: one chunk), at most
    /// the chunks that cover the dimension; `nil` when not given.
    private static func shards(_ recipe: Recipe, grid: RegularGrid, chunks: ChunkShape, timeCount: Int, axes: ExtraAxes) throws -> ChunkShape? {
        guard !recipe.output.shards.isEmpty else { return nil }
        let given = try sizes(recipe, "shards", grid: grid, axes: axes)
        let chunkSizes = try sizes(recipe, "chunks", grid: grid, axes: axes)
        let (xName, yName) = grid.isGeographic ? ("lon", "lat") : ("x", "y")
        func size(_ name: String, chunk: Int, length: Int) throws -> Int {
            guard let shard = given[name] else { return chunk }
            let key = recipe.output.shards[name] != nil ? name : (name == yName ? "y" : "x")
            // The chunk size asked for (or the default), before it is clipped to the dimension.
            let asked = chunkSizes[name] ?? (name == "time" ? 1 : 512)
            guard shard % asked == 0 else {
                throw recipe.error("output.shards.\(key)", "\(shard) is not a multiple of the chunk size \(asked) along \(name)")
            }
            // A chunk clipped to the whole dimension is the only chunk: the shard holds just it.
            return chunk < asked ? chunk : min(shard, ceilDiv(length, chunk) * chunk)
        }
        return ChunkShape(time: try size("time", chunk: chunks.time, length: timeCount),
                          y: try size(yName, chunk: chunks.y, length: grid.height), x: try size(xName, chunk: chunks.x, length: grid.width))
    }

    /// `output.chunks` or `output.shards` by the cube's dimension names (`y`/`x` accepted for `lat`/`lon`).
    private static func sizes(_ recipe: Recipe, _ key: String, grid: RegularGrid, axes: ExtraAxes) throws -> [String: Int] {
        let vertical = axes.vertical
        var given = key == "chunks" ? recipe.output.chunks : recipe.output.shards
        let (xName, yName) = grid.isGeographic ? ("lon", "lat") : ("x", "y")
        if grid.isGeographic {
            // y/x are accepted as the generic names of lat/lon.
            for (alias, name) in [("y", "lat"), ("x", "lon")] {
                guard let value = given.removeValue(forKey: alias) else { continue }
                if given[name] != nil {
                    throw recipe.error("output.\(key).\(alias)", "give either '\(alias)' or '\(name)' (the same dimension), not both")
                }
                given[name] = value
            }
        }
        // The member and level axes (DESIGN.md §15, §16) are checked by `extraChunks`.
        if let vertical { given.removeValue(forKey: vertical.name) }
        if let members = axes.members { given.removeValue(forKey: members.name) }
        let names = "time, " + (axes.members.map { "\($0.name), " } ?? "") + (vertical.map { "\($0.name), " } ?? "")
        for name in given.keys where ![xName, yName, "time"].contains(name) {
            throw recipe.error("output.\(key).\(name)", "the cube's dimensions are \(names)\(yName), \(xName); '\(name)' is not one of them")
        }
        return given
    }

    private static func compressorPlan(_ recipe: Recipe, registries: Registries, format: ZarrFormat) throws -> CompressorPlan {
        let c = recipe.output.compressor
        guard c.id != "none" else { return CompressorPlan(configurationText: nil, summary: "none") }
        let json = CompressorConfiguration.json(c)
        do {
            _ = try registries.codecs.makeCodec(json, elementSize: 4)
            if format == .v3 { _ = try ZarrCodecChain(compressor: json).v3Codecs(elementSize: 4) }
        } catch {
            throw recipe.error("output.compressor", "\(error)")
        }
        return CompressorPlan(configurationText: json.serialized(indent: 0), summary: json.serialized(indent: 0))
    }
}

/// Translates the recipe's compressor section to the numcodecs object stored in `.zarray`.
enum CompressorConfiguration {
    static func json(_ c: CompressorSection) -> JSONValue {
        switch c.id {
        case "blosc":
            return .object([("id", .string("blosc")), ("cname", .string(c.cname ?? "lz4")), ("clevel", .int(Int64(c.clevel ?? 5))),
                            ("shuffle", .int(Int64(c.shuffle ?? 1))), ("blocksize", .int(Int64(c.blocksize ?? 0)))])
        default:
            return .object([("id", .string(c.id)), ("level", .int(Int64(c.level ?? 1)))])
        }
    }
}
