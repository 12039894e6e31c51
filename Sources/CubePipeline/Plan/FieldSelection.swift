import CubeCore
import CubeRecipe

/// Resolves a variable's `select:` (`{shortName: 2t, typeOfLevel: surface, number: 0}`) to the
/// name of the one source variable whose `GRIB_<key>` attributes carry those values (cfgrib's
/// `filter_by_keys` idea). Store-neutral: any store that describes its variables with such
/// attributes can be selected from.
enum FieldSelection {
    /// The source variable `variable` reads: its `select` resolved in `file`, else its key.
    /// - Throws: a recipe error naming the key path and the file when no field matches (listing
    ///   what the file holds) or several do (naming them).
    static func sourceName(of variable: VariableSection, in file: DatasetDescriptor, recipe: Recipe) throws -> String {
        guard let select = variable.select else { return variable.sourceName }
        let matches = fields(matching: select, in: file)
        let wanted = select.keys.sorted().map { "\($0)=\(select[$0]!)" }.joined(separator: ", ")
        if matches.count == 1 { return matches[0].name }
        if matches.isEmpty {
            let held = file.variables.map { descriptor -> String in
                let keys = VariableSection.selectionKeys.compactMap { key in text(descriptor.attributes[named: "GRIB_\(key)"]).map { "\(key)=\($0)" } }
                return keys.isEmpty ? descriptor.name : "\(descriptor.name) (\(keys.joined(separator: ", ")))"
            }
            throw recipe.error("\(variable.keyPath).select",
                "no field of '\(file.location)' matches \(wanted); it holds: \(held.joined(separator: "; "))")
        }
        throw recipe.error("\(variable.keyPath).select",
            "\(matches.count) fields of '\(file.location)' match \(wanted) (\(matches.map(\.name).joined(separator: ", "))); add keys to pick one")
    }

    /// The name under which every file of `files` holds the field `name` names in the first: the
    /// name itself when each file has it for the same field (the same `GRIB_*` keys), else the first
    /// of its aliases that does (a GRIB file of one level names `t` what a file of several names
    /// `t_isobaricInhPa_850`); `name` when none does, for the caller's error to name.
    static func portableName(_ name: String, in files: [DatasetDescriptor]) -> String {
        guard let field = files.first?.variable(name), files.count > 1 else { return name }
        let keys = gribKeys(field)
        for candidate in [name] + field.aliases
        where files.dropFirst().allSatisfy({ other in other.variable(candidate).map { gribKeys($0) == keys } ?? false }) {
            return candidate
        }
        return name
    }

    /// A field's `GRIB_*` attributes as text (empty for other stores' variables).
    private static func gribKeys(_ field: VariableDescriptor) -> [String: String] {
        var keys: [String: String] = [:]
        for attribute in field.attributes where attribute.name.hasPrefix("GRIB_") { keys[attribute.name] = text(attribute.value) ?? "" }
        return keys
    }

    /// The variables of `file` whose `GRIB_<key>` attributes carry every value of `keys`.
    static func fields(matching keys: [String: String], in file: DatasetDescriptor) -> [VariableDescriptor] {
        file.variables.filter { descriptor in
            keys.allSatisfy { key, value in text(descriptor.attributes[named: "GRIB_\(key)"]) == value }
        }
    }

    /// An attribute's value as `select` compares it: text, or a single whole number.
    static func text(_ value: AttributeValue?) -> String? {
        switch value {
        case let .text(text)?: return text
        case let .integers(values)? where values.count == 1: return String(values[0])
        case let .reals(values)? where values.count == 1 && values[0] == values[0].rounded(): return String(Int64(values[0]))
        default: return nil
        }
    }
}
