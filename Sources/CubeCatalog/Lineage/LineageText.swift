import Foundation
import Zarr

/// Plain-text forms of a lineage, for CF/ACDD attributes (strings only, so the cube stays
/// exportable to NetCDF) and for STAC's `processing:lineage` (CommonMark).
extension Lineage {
    /// `cubegen 0.2.0, netcdf 4.9.0, …`: the global `cubegen_software` attribute.
    public var softwareText: String { software.map { "\($0.name) \($0.version)" }.joined(separator: ", ") }

    /// A CommonMark list: per variable, its source and each step with its accuracy effect.
    public var markdown: String {
        var lines = ["Made by cubegen from recipe \(recipe.file) (sha256 \(recipe.sha256)).", ""]
        for variable in variables {
            lines.append("- **\(variable.name)**: \(variable.sourceText)")
            for (index, step) in variable.steps.enumerated() {
                lines.append("  \(index + 1). \(step.text)")
            }
        }
        return lines.joined(separator: "\n")
    }
}

extension VariableLineage {
    /// The CF `source` attribute: the store, files and original variable name.
    public var sourceText: String {
        let names = source.files.map { $0.path.split(separator: "/").last.map(String.init) ?? $0.path }
        let shown = names.count <= 4 ? names.joined(separator: ", ") : "\(names[0]), … \(names[names.count - 1]) (\(names.count) files)"
        return "variable '\(source.variable)' (\(source.dataType)) of \(source.store) source '\(source.name)': \(shown)"
    }

    /// The `cubegen_lineage` attribute: one numbered line per step, with its accuracy effect.
    public var stepsText: String {
        steps.enumerated().map { "\($0.offset + 1). \($0.element.text)" }.joined(separator: "\n")
    }
}

extension LineageStep {
    /// `resample(method=bilinear, …): effect`.
    public var text: String {
        let shown = parameters.compactMap { name, value -> String? in
            guard let text = LineageStep.plain(value) else { return nil }
            return "\(name)=\(text)"
        }
        return "\(kind.rawValue)(\(shown.joined(separator: ", "))): \(effect)"
    }

    /// A parameter value as short text; long texts (WKT) and objects are left to `lineage.json`.
    private static func plain(_ value: JSONValue) -> String? {
        switch value {
        case .null: return nil
        case let .bool(b): return b ? "true" : "false"
        case let .int(i): return String(i)
        case let .double(d): return LineageFormat.number(d)
        case let .string(s): return s.count > 80 ? nil : s
        case let .array(elements):
            let parts = elements.compactMap(plain)
            return parts.count == elements.count ? "[" + parts.joined(separator: ", ") + "]" : nil
        case .object: return nil
        }
    }
}

/// Number formatting shared by lineage texts: up to 4 significant digits, no trailing zeros.
public enum LineageFormat {
    /// `0.0001` → "0.0001", `5.621345` → "5.6213", `27800` → "27800", `1e-9` → "1e-09".
    public static func number(_ value: Double) -> String {
        guard value.isFinite else { return "\(value)" }
        if value == value.rounded(), abs(value) < 1e9 { return String(Int64(value)) }
        let magnitude = abs(value)
        if magnitude >= 1e-4 && magnitude < 1e9 {
            var text = String(format: "%.5g", value)
            if text.contains("e") { text = String(format: "%.6f", value) }
            if text.contains(".") {
                while text.hasSuffix("0") { text.removeLast() }
                if text.hasSuffix(".") { text.removeLast() }
            }
            return text
        }
        return String(format: "%.3g", value)
    }
}
