import Foundation

/// Where a store lives, parsed from the text a user writes: a local path, `file:///abs/path`,
/// `s3://bucket/prefix` or `https://host[:port]/path` (`http://` too, for loopback services).
///
/// Parsing checks the form only; whether a backend exists for the scheme is the registry's question.
public struct StorageURL: Hashable, Sendable, CustomStringConvertible {
    /// The scheme in lowercase: `file` for local paths, `s3`, `https`, `http`, or any other a plugin registers.
    public var scheme: String
    /// The bucket for `s3`, `host[:port]` for web URLs, empty for `file`.
    public var authority: String
    /// The path below the authority, without leading or trailing `/`: the key prefix for `s3`,
    /// the absolute directory path (with its leading `/`) for `file`.
    public var path: String
    /// The text as given.
    public var text: String

    /// Parses `text`.
    /// - Throws: `StorageError` with code `.invalid` and a one-line reason when `text` is malformed.
    public init(_ text: String) throws {
        self.text = text
        func fail(_ reason: String) -> StorageError {
            // Control characters are shown escaped, so the message stays one line.
            let shown = text.unicodeScalars.map { $0.properties.generalCategory == .control ? $0.escaped(asASCII: true) : String($0) }
            return StorageError(operation: "parse storage URL", location: shown.joined(), reason: reason, code: .invalid)
        }
        guard !text.isEmpty else { throw fail("the URL is empty") }
        guard !text.contains(where: { $0.isNewline || $0 == "\0" }) else { throw fail("the URL contains a line break or NUL") }
        guard let separator = text.range(of: "://") else {
            if let colon = text.firstIndex(of: ":"), text[..<colon].count > 1, StorageURL.isSchemeName(text[..<colon]) {
                throw fail("'\(text[..<colon]):' needs '//' after the scheme, as in '\(text[..<colon])://…'")
            }
            scheme = "file"
            authority = ""
            path = text
            return
        }
        let name = text[..<separator.lowerBound].lowercased()
        guard StorageURL.isSchemeName(name) else { throw fail("'\(name)' is not a URL scheme") }
        scheme = name
        let rest = text[separator.upperBound...]
        guard !rest.contains("?"), !rest.contains("#") else { throw fail("query strings and fragments are not supported") }
        let slash = rest.firstIndex(of: "/") ?? rest.endIndex
        authority = String(rest[..<slash])
        var remainder = String(rest[slash...])
        switch scheme {
        case "file":
            guard authority.isEmpty || authority == "localhost" else {
                throw fail("file URLs name a local path: 'file:///absolute/path' (not host '\(authority)')")
            }
            authority = ""
            guard remainder.hasPrefix("/") else { throw fail("file URLs need an absolute path") }
            while remainder.count > 1 && remainder.hasSuffix("/") { remainder.removeLast() }
            path = remainder
            return
        case "s3":
            guard !authority.isEmpty else { throw fail("no bucket: write 's3://bucket/prefix'") }
            guard StorageURL.isValidBucketName(authority) else {
                throw fail("'\(authority)' is not a valid bucket name (3–63 characters: a–z, 0–9, '.', '-')")
            }
        default:
            guard !authority.isEmpty else { throw fail("no host: write '\(scheme)://host/path'") }
            guard !authority.contains("@") else { throw fail("credentials do not belong in a storage URL") }
        }
        let trimmed = remainder.split(separator: "/", omittingEmptySubsequences: false)
        var segments = Array(trimmed.drop(while: \.isEmpty))
        while segments.last?.isEmpty == true { segments.removeLast() }
        guard segments.allSatisfy({ !$0.isEmpty && $0 != "." && $0 != ".." }) else {
            throw fail("the path has an empty, '.' or '..' segment")
        }
        path = segments.joined(separator: "/")
    }

    /// Whether `name` is a URL scheme: an ASCII letter, then letters, digits, `+`, `-` or `.` (RFC 3986).
    static func isSchemeName(_ name: some StringProtocol) -> Bool {
        guard let first = name.first, first.isASCII, first.isLetter else { return false }
        return name.allSatisfy { $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "+" || $0 == "-" || $0 == ".") }
    }

    /// Whether `name` follows S3's bucket naming rules (3–63 lowercase letters, digits, `.` and `-`,
    /// starting and ending with a letter or digit).
    public static func isValidBucketName(_ name: String) -> Bool {
        let characters = Array(name)
        guard (3...63).contains(characters.count) else { return false }
        let allowed = characters.allSatisfy { ($0.isASCII && ($0.isLowercase || $0.isNumber)) || $0 == "." || $0 == "-" }
        let ends = [characters.first!, characters.last!].allSatisfy { $0.isASCII && ($0.isLowercase || $0.isNumber) }
        return allowed && ends && !name.contains("..")
    }

    /// The text as given.
    public var description: String { text }
}
