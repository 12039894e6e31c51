import CubeCore
import CubeRecipe

/// Resolves a variable's `members` (DESIGN.md §16): one variable section per member, selecting
/// the field with that ensemble member number (GRIB `number`) beside the variable's own `select`
/// keys (or its short name). Each section is then planned as a (time, y, x) variable, or as the
/// layers of its `levels`.
enum EnsembleMembers {
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
