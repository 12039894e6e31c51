/// The profiles of an AWS shared config or credentials file (`~/.aws/config`, `~/.aws/credentials`):
/// INI sections of `key = value` lines.
///
/// In the config file profiles are `[default]` and `[profile NAME]`; in the credentials file `[NAME]`.
/// Indented lines continue a nested setting (`s3 =` followed by `  addressing_style = path`) and are
/// kept as `s3.addressing_style`. Comments start with `#` or `;`.
struct AWSSharedConfigFile: Sendable {
    /// Settings by profile name, then by lowercased key.
    var profiles: [String: [String: String]] = [:]

    /// Parses `text`; `isConfigFile` selects the `[profile NAME]` section form.
    init(text: String, isConfigFile: Bool) {
        var section: String?
        var parent: String?
        for raw in text.split(omittingEmptySubsequences: false, whereSeparator: \.isNewline) {
            let line = raw.trimmingCharacters(in: " \t")
            if line.isEmpty || line.hasPrefix("#") || line.hasPrefix(";") { continue }
            if line.hasPrefix("[") && line.hasSuffix("]") {
                var name = line.dropFirst().dropLast().trimmingCharacters(in: " \t")
                if isConfigFile && name != "default" {
                    guard name.hasPrefix("profile ") else { section = nil; continue }
                    name = name.dropFirst("profile ".count).trimmingCharacters(in: " \t")
                }
                section = name
                parent = nil
                profiles[name, default: [:]] = profiles[name] ?? [:]
                continue
            }
            guard let section, let equals = line.firstIndex(of: "=") else { continue }
            let key = line[..<equals].trimmingCharacters(in: " \t").lowercased()
            let value = line[line.index(after: equals)...].trimmingCharacters(in: " \t")
            let indented = raw.first == " " || raw.first == "\t"
            if indented, let parent {
                profiles[section]?["\(parent).\(key)"] = value
            } else {
                profiles[section]?[key] = value
                parent = value.isEmpty ? key : nil
            }
        }
    }
}

extension StringProtocol {
    /// The text without leading and trailing characters from `set`.
    fileprivate func trimmingCharacters(in set: String) -> String {
        var slice = Substring(self)
        while let first = slice.first, set.contains(first) { slice = slice.dropFirst() }
        while let last = slice.last, set.contains(last) { slice = slice.dropLast() }
        return String(slice)
    }
}
