import CubeCatalog
import CubeCore
import Zarr

/// What a cube's bytes are laid out by, kept in the cube (`.cubegen/layout.json`) so a later run
/// can tell whether it may update the cube in place (NEXT.md §3, incremental runs): the format,
/// grid, chunking and codecs, the time encoding, each variable's stored type, the time axis and
/// the input files.
///
/// A later plan is compatible when all of these are equal except that the time axis may grow
/// (the old steps stay a prefix; the last old step may change, a partial period being relabelled)
/// and inputs and variables may be added. Anything else — another grid, chunking, data type, a
/// removed input or variable, a shrinking or shifted time axis — cannot be applied in place.
struct CubeLayout: Sendable, Equatable {
    /// The layout's key in the cube; Zarr readers ignore it.
    static let key = ".cubegen/layout.json"

    /// The layout as stored.
    let json: JSONValue

    /// Reads a stored layout; `nil` when `bytes` are not one.
    init?(bytes: [UInt8]) {
        guard let json = try? JSONValue.parse(bytes), json["grid"] != nil, json["time"]?.arrayValue != nil else { return nil }
        self.json = json
    }

    /// The layout `plan` makes.
    init(plan: CubePlan) {
        let normalized = RecipeNormalizer.normalize(plan)
        var output = normalized["output"]?.objectMembers ?? []
        output.removeAll { ["path", "overwrite", "attrs", "gdal_crs"].contains($0.0) }
        let time = plan.time
        var encoding: [(String, JSONValue)] = [
            ("units", .string(time.units.description)), ("calendar", .string(time.units.calendar.cfName)),
        ]
        for member in ["period", "period_anchor", "label"] { encoding.append((member, normalized["time"]?[member] ?? .null)) }
        let built: JSONValue = .object([
            ("cubegen", .string(CubeGenVersion.current)),
            ("grid", normalized["grid"] ?? .null),
            ("output", .object(output)),
            ("time_encoding", .object(encoding)),
            ("variables", .object(plan.variables.map { variable in
                (variable.name, .object([
                    ("dtype", .string(variable.dataType.rawValue)),
                    ("fill_value", variable.fillValue.isNaN ? .string("NaN") : .double(variable.fillValue)),
                    ("scale_factor", variable.scaleFactor.map(JSONValue.double) ?? .null),
                    ("add_offset", variable.addOffset.map(JSONValue.double) ?? .null),
                ]))
            })),
            ("time", .array(time.values.map(JSONValue.double))),
            ("inputs", .array(plan.sources.flatMap { source in source.files.map { JSONValue.string($0.location) } })),
        ])
        // Compared as stored: numbers read back as they parse (1.0 may come back as 1).
        json = (try? JSONValue.parse(Array(built.serialized().utf8))) ?? built
    }

    /// The stored bytes.
    var bytes: [UInt8] { Array((json.serialized() + "\n").utf8) }

    /// Why a cube of layout `old` cannot become a cube of this layout in place: one phrase per
    /// change, empty when it can.
    func changes(from old: CubeLayout) -> [String] {
        var result: [String] = []
        for member in ["grid", "output", "time_encoding"] {
            let before = old.json[member]?.objectMembers ?? [], after = json[member]?.objectMembers ?? []
            for name in Set(before.map(\.0)).union(after.map(\.0)).sorted() {
                let a = before.first { $0.0 == name }?.1 ?? .null, b = after.first { $0.0 == name }?.1 ?? .null
                if a != b { result.append("\(Self.label(member, name)) changed from \(a.serialized(indent: 0)) to \(b.serialized(indent: 0))") }
            }
        }
        let oldVariables = old.json["variables"]?.objectMembers ?? [], newVariables = json["variables"]?.objectMembers ?? []
        for (name, before) in oldVariables {
            guard let after = newVariables.first(where: { $0.0 == name })?.1 else {
                result.append("variable '\(name)' was removed")
                continue
            }
            for (setting, value) in before.objectMembers ?? [] where after[setting] != value {
                result.append("variable '\(name)' \(setting) changed from \(value.serialized(indent: 0)) to \((after[setting] ?? .null).serialized(indent: 0))")
            }
        }
        let before = old.json["time"]?.arrayValue ?? [], after = json["time"]?.arrayValue ?? []
        if after.count < before.count {
            result.append("the time axis would shrink from \(before.count) to \(after.count) steps")
        } else if let k = zip(before, after).dropLast().enumerated().first(where: { $0.element.0 != $0.element.1 })?.offset {
            result.append("time step \(k) changed from \(before[k].serialized(indent: 0)) to \(after[k].serialized(indent: 0)) (only appending later steps is done in place)")
        }
        let inputs = Set((json["inputs"]?.arrayValue ?? []).compactMap(\.stringValue))
        let removed = (old.json["inputs"]?.arrayValue ?? []).compactMap(\.stringValue).filter { !inputs.contains($0) }
        if !removed.isEmpty {
            result.append("input \(removed.prefix(3).map { "'\($0)'" }.joined(separator: ", "))\(removed.count > 3 ? " and \(removed.count - 3) more" : "") "
                          + "\(removed.count == 1 ? "was" : "were") removed")
        }
        return result
    }

    /// `grid.crs`, `output.chunks`, `time.period`: the recipe key a layout member comes from.
    private static func label(_ member: String, _ name: String) -> String {
        switch member {
        case "time_encoding": name == "units" || name == "calendar" ? "the time encoding's \(name)" : "time.\(name)"
        default: "\(member).\(name)"
        }
    }
}
