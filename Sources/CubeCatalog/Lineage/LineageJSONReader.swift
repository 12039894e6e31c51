import Zarr

/// Reads members of a lineage JSON object, naming the member path in its errors.
struct LineageJSONReader {
    let value: JSONValue
    let path: String

    init(_ value: JSONValue, path: String) {
        self.value = value
        self.path = path
    }

    private func name(_ key: String) -> String { path.isEmpty ? key : "\(path).\(key)" }

    func member(_ key: String) throws -> JSONValue {
        guard let member = value[key] else { throw LineageError("missing member '\(name(key))'") }
        return member
    }

    func string(_ key: String) throws -> String {
        guard let text = try member(key).stringValue else { throw LineageError("'\(name(key))' is not a string") }
        return text
    }

    func int(_ key: String) throws -> Int {
        guard let number = try member(key).intValue else { throw LineageError("'\(name(key))' is not an integer") }
        return number
    }

    func array(_ key: String) throws -> [JSONValue] {
        guard let elements = try member(key).arrayValue else { throw LineageError("'\(name(key))' is not an array") }
        return elements
    }

    func object(_ key: String) throws -> [(String, JSONValue)] {
        guard let members = try member(key).objectMembers else { throw LineageError("'\(name(key))' is not an object") }
        return members
    }
}
