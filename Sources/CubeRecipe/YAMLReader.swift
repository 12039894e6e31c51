import Yams

/// Walks a composed YAML tree, checking keys and types and recording locations and diagnostics.
struct YAMLReader {
    let file: String
    var diagnostics: [Diagnostic] = []
    var locations: [String: RecipeLocation] = [:]

    init(file: String) { self.file = file }

    func location(_ node: Node?) -> RecipeLocation? {
        node?.mark.map { RecipeLocation(file: file, line: $0.line, column: $0.column) }
    }

    mutating func error(_ key: String, _ message: String, _ node: Node?) {
        diagnostics.append(Diagnostic(.error, key: key, message, at: location(node)))
    }

    mutating func warning(_ key: String, _ message: String, _ node: Node?) {
        diagnostics.append(Diagnostic(.warning, key: key, message, at: location(node)))
    }

    /// Reads a mapping with string keys; reports unknown keys (with a suggestion), duplicates and
    /// a non-mapping node. Returns key → value node, and records each key's location.
    mutating func mapping(_ node: Node?, key path: String, allowed: [String]) -> [String: Node]? {
        guard let node else { return nil }
        guard case let .mapping(mapping) = node else {
            error(path, "expected a mapping of keys (\(allowed.joined(separator: ", "))), got \(describe(node))", node)
            return nil
        }
        var result: [String: Node] = [:]
        for (keyNode, value) in mapping {
            guard let key = keyNode.scalar?.string else {
                error(path, "keys must be plain text", keyNode)
                continue
            }
            let child = join(path, key)
            if !allowed.isEmpty, !allowed.contains(key) {
                var message = "unknown key '\(key)'"
                if let suggestion = YAMLReader.suggestion(for: key, among: allowed) { message += "; did you mean '\(suggestion)'?" }
                message += " (allowed: \(allowed.joined(separator: ", ")))"
                error(child, message, keyNode)
                continue
            }
            if result[key] != nil {
                error(child, "duplicate key '\(key)'", keyNode)
                continue
            }
            result[key] = value
            locations[child] = location(value) ?? location(keyNode)
        }
        return result
    }

    /// Reads a required value, reporting it when missing.
    mutating func required<T>(_ map: [String: Node], _ key: String, in path: String, parent: Node?,
                              _ read: (inout YAMLReader, Node, String) -> T?) -> T? {
        guard let node = map[key], !isNull(node) else {
            error(join(path, key), "required key '\(key)' is missing", parent)
            return nil
        }
        return read(&self, node, join(path, key))
    }

    /// Reads an optional value.
    mutating func optional<T>(_ map: [String: Node], _ key: String, in path: String,
                              _ read: (inout YAMLReader, Node, String) -> T?) -> T? {
        guard let node = map[key], !isNull(node) else { return nil }
        return read(&self, node, join(path, key))
    }

    mutating func string(_ node: Node, _ path: String) -> String? {
        guard case let .scalar(scalar) = node else {
            error(path, "expected text, got \(describe(node))", node)
            return nil
        }
        return scalar.string
    }

    mutating func number(_ node: Node, _ path: String) -> Double? {
        guard case .scalar = node, let value = node.float ?? node.int.map(Double.init), value.isFinite else {
            error(path, "expected a number, got \(describe(node))", node)
            return nil
        }
        return value
    }

    mutating func integer(_ node: Node, _ path: String) -> Int? {
        guard case .scalar = node, let value = node.int else {
            error(path, "expected a whole number, got \(describe(node))", node)
            return nil
        }
        return value
    }

    mutating func boolean(_ node: Node, _ path: String) -> Bool? {
        guard case .scalar = node, let value = node.bool else {
            error(path, "expected true or false, got \(describe(node))", node)
            return nil
        }
        return value
    }

    mutating func sequence(_ node: Node, _ path: String) -> [Node]? {
        guard case let .sequence(sequence) = node else {
            error(path, "expected a list, got \(describe(node))", node)
            return nil
        }
        return Array(sequence)
    }

    mutating func strings(_ node: Node, _ path: String) -> [String]? {
        if case .scalar = node, let single = string(node, path) { return [single] }
        guard let items = sequence(node, path) else { return nil }
        let values = items.enumerated().compactMap { string($1, "\(path)[\($0)]") }
        return values.count == items.count ? values : nil
    }

    mutating func numbers(_ node: Node, _ path: String, count: Int) -> [Double]? {
        guard let items = sequence(node, path) else { return nil }
        guard items.count == count else {
            error(path, "expected \(count) numbers, got \(items.count)", node)
            return nil
        }
        let values = items.enumerated().compactMap { number($1, "\(path)[\($0)]") }
        return values.count == count ? values : nil
    }

    mutating func choice(_ node: Node, _ path: String, _ allowed: [String]) -> String? {
        guard let value = string(node, path) else { return nil }
        guard allowed.contains(value) else {
            var message = "'\(value)' is not one of \(allowed.joined(separator: ", "))"
            if let suggestion = YAMLReader.suggestion(for: value, among: allowed) { message += "; did you mean '\(suggestion)'?" }
            error(path, message, node)
            return nil
        }
        return value
    }

    func isNull(_ node: Node) -> Bool {
        guard case let .scalar(scalar) = node, scalar.style == .plain else { return false }
        return ["", "~", "null", "Null", "NULL"].contains(scalar.string)
    }

    func describe(_ node: Node) -> String {
        switch node {
        case let .scalar(scalar): return "'\(scalar.string)'"
        case .mapping: return "a mapping"
        case .sequence: return "a list"
        case .alias: return "an alias"
        }
    }

    func join(_ path: String, _ key: String) -> String { path.isEmpty ? key : "\(path).\(key)" }

    /// The allowed word closest to `word` when it is close enough to be a likely typo.
    static func suggestion(for word: String, among allowed: [String]) -> String? {
        Suggestions.closest(to: word, among: allowed)
    }
}
