import CubeCore
import CubeRecipe

/// Resolves a variable's `levels:` against its source (DESIGN.md §15): which source field (GRIB:
/// one field per level, found by its `GRIB_level` and `GRIB_typeOfLevel` attributes) or which
/// index along a vertical dimension (NetCDF: a `plev` coordinate) holds each level.
enum VerticalLevels {
    /// One level of a variable as the planner plans it: a (time, y, x) variable of its own.
    struct Layer {
        /// The variable section of the layer: its `sourceName` is the field read.
        var section: VariableSection
        /// The source's vertical dimension and the level's index along it (NetCDF), or `nil` (GRIB).
        var sourceLevel: (dimension: String, index: Int)?
        /// The level as written in the recipe, with units (`850 hPa`).
        var label: String
    }

    /// A variable's levels: what the axis measures, the levels in the cube's units, and the layers.
    struct Resolution {
        var coordinate: VerticalCoordinate
        var values: [Double]
        var layers: [Layer]
    }

    /// Resolves `variable.levels` in `inventory`.
    /// - Throws: a recipe error naming the variable's key path and the file: a level the file
    ///   does not hold (listing those it holds), a level missing from another file (naming the
    ///   file, the level and the file's time steps), units that do not fit the levels.
    static func resolve(_ variable: VariableSection, levels: [Double], inventory: SourceInventory, recipe: Recipe) throws -> Resolution {
        let file = inventory.first
        if let descriptor = file.variable(variable.sourceName), variable.select == nil,
           let dimension = descriptor.dimensions.first(where: { file.levelCoordinates[$0] != nil }) {
            return try alongDimension(variable, levels: levels, dimension: dimension, inventory: inventory, recipe: recipe)
        }
        return try asFields(variable, levels: levels, inventory: inventory, recipe: recipe)
    }

    /// Levels held along one dimension of one variable (NetCDF, Zarr).
    private static func alongDimension(_ variable: VariableSection, levels: [Double], dimension: String, inventory: SourceInventory,
                                       recipe: Recipe) throws -> Resolution {
        let file = inventory.first
        let held = file.levelCoordinates[dimension]!
        let units = try recipeUnits(variable, coordinate: held.coordinate, recipe: recipe)
        var layers: [Layer] = []
        for level in levels {
            let label = "\(VerticalCoordinate.format(level)) \(units)"
            let wanted = VerticalCoordinate.convert(level, from: units, to: held.coordinate.sourceUnits)!
            guard let index = held.values.firstIndex(where: { abs($0 - wanted) <= 1e-6 * max(1, abs(wanted)) }) else {
                throw recipe.error("\(variable.keyPath).levels",
                    "'\(file.location)': variable '\(variable.sourceName)' has no level \(label) along '\(dimension)'; it holds \(listing(held.values, held.coordinate.sourceUnits))")
            }
            for other in inventory.files.dropFirst() {
                let values = other.levelCoordinates[dimension]?.values ?? []
                guard index < values.count, abs(values[index] - held.values[index]) <= 1e-6 * max(1, abs(wanted)) else {
                    throw recipe.error("\(variable.keyPath).levels",
                        "'\(other.location)': variable '\(variable.sourceName)' has no level \(label) at \(steps(other)) (its '\(dimension)' holds \(listing(values, held.coordinate.sourceUnits)), unlike '\(file.location)')")
                }
            }
            layers.append(Layer(section: variable, sourceLevel: (dimension, index), label: label))
        }
        return Resolution(coordinate: held.coordinate, values: try cubeValues(levels, units: units, coordinate: held.coordinate), layers: layers)
    }

    /// Levels held as fields of their own (GRIB: one message per level), selected by
    /// `select` (or the short name) and `level`.
    private static func asFields(_ variable: VariableSection, levels: [Double], inventory: SourceInventory, recipe: Recipe) throws -> Resolution {
        let file = inventory.first
        var keys = variable.select ?? ["shortName": variable.sourceName]
        if keys["level"] != nil {
            throw recipe.error("\(variable.keyPath).select.level", "give either select.level or levels, not both")
        }
        let candidates = FieldSelection.fields(matching: keys, in: file).filter { $0.attributes[named: "GRIB_level"] != nil }
        let types = Set(candidates.compactMap { $0.attributes[named: "GRIB_typeOfLevel"]?.text }).sorted()
        guard !candidates.isEmpty else {
            let what = keys.keys.sorted().map { "\($0)=\(keys[$0]!)" }.joined(separator: ", ")
            throw recipe.error(variable.keyPath,
                "'\(file.location)' has no field matching \(what) on levels, nor a variable '\(variable.sourceName)' with a vertical dimension (variables: \(file.variables.map(\.name).joined(separator: ", ")))")
        }
        guard types.count == 1, let type = types.first else {
            throw recipe.error(variable.keyPath,
                "'\(file.location)' holds '\(variable.sourceName)' on several level types (\(types.joined(separator: ", "))); add select.typeOfLevel to pick one")
        }
        guard let coordinate = VerticalCoordinate(gribTypeOfLevel: type) else {
            throw recipe.error("\(variable.keyPath).levels",
                "GRIB level type '\(type)' of '\(variable.sourceName)' in '\(file.location)' is not a vertical axis CubeGen writes (isobaricInhPa, isobaricInPa, hybrid, heightAboveGround, depthBelowSea)")
        }
        keys["typeOfLevel"] = type
        let held = candidates.filter { $0.attributes[named: "GRIB_typeOfLevel"]?.text == type }
            .compactMap { $0.attributes[named: "GRIB_level"]?.number }.sorted()
        let units = try recipeUnits(variable, coordinate: coordinate, recipe: recipe)
        var layers: [Layer] = []
        for level in levels {
            let label = "\(VerticalCoordinate.format(level)) \(units)"
            let wanted = VerticalCoordinate.convert(level, from: units, to: coordinate.sourceUnits)!
            guard wanted == wanted.rounded(), held.contains(wanted) else {
                throw recipe.error("\(variable.keyPath).levels",
                    "'\(file.location)' has no level \(label) of '\(variable.sourceName)' (\(type)); it holds \(listing(held, coordinate.sourceUnits))")
            }
            var section = variable
            section.select = keys.merging(["level": VerticalCoordinate.format(wanted)]) { $1 }
            let name = FieldSelection.portableName(try FieldSelection.sourceName(of: section, in: file, recipe: recipe), in: inventory.files)
            for other in inventory.files.dropFirst() {
                let field = other.variable(name)
                guard let field, field.attributes[named: "GRIB_level"]?.number == wanted,
                      field.attributes[named: "GRIB_typeOfLevel"]?.text == type else {
                    throw recipe.error("\(variable.keyPath).levels",
                        "'\(other.location)' has no level \(label) of '\(variable.sourceName)' (\(type)) at \(steps(other)), which '\(file.location)' has")
                }
            }
            section.select = nil
            section.sourceName = name
            layers.append(Layer(section: section, sourceLevel: nil, label: label))
        }
        return Resolution(coordinate: coordinate, values: try cubeValues(levels, units: units, coordinate: coordinate), layers: layers)
    }

    /// The units the recipe's levels are in: `level_units`, else the source's.
    private static func recipeUnits(_ variable: VariableSection, coordinate: VerticalCoordinate, recipe: Recipe) throws -> String {
        let units = variable.levelUnits ?? coordinate.sourceUnits
        guard VerticalCoordinate.convert(1, from: units, to: coordinate.sourceUnits) != nil else {
            throw recipe.error("\(variable.keyPath).level_units",
                "levels in '\(units)' do not fit the source's \(coordinate.kind.rawValue) levels (in \(coordinate.sourceUnits)); use \(coordinate.acceptedUnits.joined(separator: " or "))")
        }
        return units
    }

    private static func cubeValues(_ levels: [Double], units: String, coordinate: VerticalCoordinate) throws -> [Double] {
        levels.map { VerticalCoordinate.convert($0, from: units, to: coordinate.units) ?? VerticalCoordinate.convert($0, from: units, to: coordinate.sourceUnits)! }
    }

    private static func listing(_ values: [Double], _ units: String) -> String {
        values.isEmpty ? "no levels" : values.map(VerticalCoordinate.format).joined(separator: ", ") + " \(units)"
    }

    /// A file's time steps, for errors: the first and last, and how many.
    private static func steps(_ file: DatasetDescriptor) -> String {
        guard let first = file.dates.first, let last = file.dates.last else { return "its time step" }
        return file.dates.count == 1 ? "\(first)" : "\(first) … \(last) (\(file.dates.count) steps)"
    }
}
