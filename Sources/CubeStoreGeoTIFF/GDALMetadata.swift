import Foundation

/// The GDAL private tags of a GeoTIFF: `GDAL_NODATA` (42113, the nodata value as text) and
/// `GDAL_METADATA` (42112, an XML list of `<Item name="…" sample="…" role="…">value</Item>`
/// holding per-band scale, offset, description and unit).
public struct GDALMetadata: Hashable, Sendable {
    /// One `<Item>`.
    public struct Item: Hashable, Sendable {
        /// The `name` attribute.
        public var name: String
        /// The `sample` attribute (0-based band), `nil` for dataset items.
        public var sample: Int?
        /// The `role` attribute (`scale`, `offset`, `description`, `unittype`), if any.
        public var role: String?
        /// The text.
        public var value: String
    }

    /// The items, in document order.
    public var items: [Item]

    /// Parses the `GDAL_METADATA` XML; unreadable items are skipped.
    public init(xml: String) {
        var items: [Item] = []
        var rest = Substring(xml)
        while let open = rest.range(of: "<Item") {
            rest = rest[open.upperBound...]
            guard let tagEnd = rest.firstIndex(of: ">") else { break }
            let header = rest[..<tagEnd]
            if header.hasSuffix("/") {   // <Item …/>: empty value
                rest = rest[rest.index(after: tagEnd)...]
                if let name = Self.attribute("name", in: header) {
                    items.append(Item(name: name, sample: Self.attribute("sample", in: header).flatMap { Int($0) },
                                      role: Self.attribute("role", in: header), value: ""))
                }
                continue
            }
            let body = rest[rest.index(after: tagEnd)...]
            guard let close = body.range(of: "</Item>") else { break }
            if let name = Self.attribute("name", in: header) {
                items.append(Item(name: name, sample: Self.attribute("sample", in: header).flatMap { Int($0) },
                                  role: Self.attribute("role", in: header), value: Self.unescaped(String(body[..<close.lowerBound]))))
            }
            rest = body[close.upperBound...]
        }
        self.items = items
    }

    /// The value of the item with `role` (or, without a role, `name`) for band `sample` (0-based).
    public func value(role: String, sample: Int) -> String? {
        items.first { $0.sample == sample && ($0.role?.lowercased() == role || $0.name.lowercased() == role) }?.value
    }

    /// Band `sample`'s scale factor (`role="scale"`), 1 when absent.
    public func scale(sample: Int) -> Double { value(role: "scale", sample: sample).flatMap(Self.number) ?? 1 }
    /// Band `sample`'s offset (`role="offset"`), 0 when absent.
    public func offset(sample: Int) -> Double { value(role: "offset", sample: sample).flatMap(Self.number) ?? 0 }

    /// Parses the `GDAL_NODATA` text (`-9999`, `nan`, `inf`); `nil` when it is not a number.
    public static func nodata(_ text: String) -> Double? {
        let trimmed = text.trimmingCharacters(in: .whitespacesAndNewlines.union(CharacterSet(charactersIn: "\0")))
        switch trimmed.lowercased() {
        case "nan", "-nan": return .nan
        case "inf", "+inf": return .infinity
        case "-inf": return -.infinity
        default: return Double(trimmed)
        }
    }

    private static func number(_ text: String) -> Double? { Double(text.trimmingCharacters(in: .whitespacesAndNewlines)) }

    private static func attribute(_ name: String, in header: Substring) -> String? {
        for quote in ["\"", "'"] {
            guard let start = header.range(of: " \(name)=\(quote)") else { continue }
            let after = header[start.upperBound...]
            guard let end = after.firstIndex(of: Character(quote)) else { return nil }
            return unescaped(String(after[..<end]))
        }
        return nil
    }

    private static func unescaped(_ text: String) -> String {
        text.replacingOccurrences(of: "&lt;", with: "<").replacingOccurrences(of: "&gt;", with: ">")
            .replacingOccurrences(of: "&quot;", with: "\"").replacingOccurrences(of: "&apos;", with: "'")
            .replacingOccurrences(of: "&amp;", with: "&")
    }
}
