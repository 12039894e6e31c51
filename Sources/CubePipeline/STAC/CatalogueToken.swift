import CubeCore
import CubeRecipe
import Foundation

/// The bearer token of a `store: stac` source (`token_env` or `token_file`): read once, sent only
/// to the catalogue's host, never written to a message, the lineage or the plan.
struct CatalogueToken: Sendable {
    /// The token text.
    private let value: String
    /// `scheme://authority` of the catalogue: the only place the token goes.
    let origin: String

    /// The token the source asks for, or `nil` when it asks for none.
    /// - Throws: `CubeError` naming the recipe key, the variable or the file (never the token):
    ///   an unset or empty variable, an unreadable or empty file.
    static func resolve(_ stac: STACSourceSection, keyPath: String, recipe: Recipe) throws -> CatalogueToken? {
        let text: String
        if let name = stac.tokenEnvironment {
            guard let value = ProcessInfo.processInfo.environment[name], !value.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty else {
                throw recipe.error("\(keyPath).token_env", "the environment variable \(name) holding the catalogue's token is not set")
            }
            text = value
        } else if let file = stac.tokenFile {
            guard let data = FileManager.default.contents(atPath: file) else {
                throw recipe.error("\(keyPath).token_file", "cannot read the token file '\(file)'")
            }
            text = String(decoding: data, as: UTF8.self)
        } else {
            return nil
        }
        let token = text.trimmingCharacters(in: .whitespacesAndNewlines)
        guard !token.isEmpty, !token.contains(where: \.isNewline) else {
            throw recipe.error("\(keyPath).\(stac.tokenEnvironment != nil ? "token_env" : "token_file")", "the token is empty or spans several lines")
        }
        return CatalogueToken(value: token, origin: Self.origin(of: stac.url) ?? "")
    }

    /// The `authorization` header.
    var header: (name: String, value: String) { (name: "authorization", value: "Bearer \(value)") }

    /// Whether `url` is on the catalogue's host (where the token may go).
    func covers(_ url: String) -> Bool { !origin.isEmpty && Self.origin(of: url) == origin }

    /// `scheme://authority` of an http(s) URL, lower-cased; `nil` for others.
    static func origin(of url: String) -> String? {
        let lower = url.lowercased()
        guard lower.hasPrefix("http://") || lower.hasPrefix("https://"), let separator = lower.range(of: "://") else { return nil }
        let authority = lower[separator.upperBound...].prefix { $0 != "/" && $0 != "?" && $0 != "#" }
        return String(lower[..<separator.upperBound]) + String(authority)
    }
}
