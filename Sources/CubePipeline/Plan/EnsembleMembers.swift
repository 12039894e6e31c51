import CubeCore
import CubeRecipe

/// Resolves a variable's `members` (DESIGN.md §16): one variable section per member, selecting
/// the field with that ensemble member number (GRIB `number`) beside the variable's own `select`
/// keys (or its short name). Each section is then planned as a (time, y, x) variable, or as the
/// layers of its `levels`.
enum EnsembleMembers {
    /// The member dimension of a variable that holds its members along one (NetCDF, Zarr: a
    /// `realization` coordinate, `DatasetDescriptor.memberCoordinates`) and the index of each of
    /// `members` along it; `nil` when the variable has no such dimension (GRIB fields).
    /// - Throws: a recipe error naming `members` and the file: a member the first file does not
    ///   hold (listing those it holds), or another file whose member coordinate differs.
    static func alongDimension(_ variable: VariableSection, members: [Int], inventory: SourceInventory,
                               recipe: Recipe) throws -> (dimension: String, indices: [Int])? {
        let file = inventory.first
        guard variable.select == nil, let descriptor = file.variable(variable.sourceName),
              let dimension = descriptor.dimensions.first(where: { file.memberCoordinates[$0] != nil }) else { return nil }
        let held = file.memberCoordinates[dimension]!
        func listing(_ values: [Double]) -> String { values.map { $0 == $0.rounded() ? String(Int($0)) : String($0) }.joined(separator: ", ") }
        var indices: [Int] = []
        for member in members {
            guard let index = held.firstIndex(of: Double(member)) else {
                throw recipe.error("\(variable.keyPath).members",
                    "'\(file.location)': variable '\(variable.sourceName)' has no member \(member) along '\(dimension)'; it holds \(listing(held))")
            }
            for other in inventory.files.dropFirst() {
                let values = other.memberCoordinates[dimension] ?? []
                guard index < values.count, values[index] == held[index] else {
                    throw recipe.error("\(variable.keyPath).members",
                        "'\(other.location)': variable '\(variable.sourceName)' has no member \(member) at the position '\(file.location)' holds it (its '\(dimension)' holds \(listing(values)))")
                }
            }
            indices.append(index)
        }
        return (dimension, indices)
    }

    /// The section of each member of `members`, in order.
    /// - Throws: a recipe error naming `members` and the first file: no field of the variable
    ///   carries member numbers (not a GRIB field), or a member the file does not hold (listing
    ///   those it holds).
    static func sections(_ variable: VariableSection, members: [Int], inventory: SourceInventory, recipe: Recipe) throws -> [VariableSection] {
        let file = inventory.first
        let keys = variable.select ?? ["shortName": variable.sourceName]
        let candidates = FieldSelection.fields(matching: keys, in: file).filter { $0.attributes[named: "GRIB_number"] != nil }
        let what = keys.keys.sorted().map { "\($0)=\(keys[$0]!)" }.joined(separator: ", ")
        guard !candidates.isEmpty else {
            throw recipe.error("\(variable.keyPath).members",
                "'\(file.location)' has no field matching \(what) with an ensemble member number; members selects GRIB fields by their 'number' (store: grib)")
        }
        let held = Set(candidates.compactMap { FieldSelection.text($0.attributes[named: "GRIB_number"]).flatMap { Int($0) } }).sorted()
        for member in members where !held.contains(member) {
            throw recipe.error("\(variable.keyPath).members",
                "'\(file.location)' has no member \(member) of '\(variable.sourceName)' (\(what)); it holds member\(held.count == 1 ? "" : "s") \(held.map(String.init).joined(separator: ", "))")
        }
        return members.map { member in
            var section = variable
            section.select = keys.merging(["number": String(member)]) { $1 }
            return section
        }
    }
}
