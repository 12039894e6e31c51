/// Any STAC document as far as a search needs it: a landing page or static catalogue or
/// collection (`type` Catalog/Collection, with links), or an item collection (a GeoJSON
/// FeatureCollection, a page of search results).
public struct STACDocument: Codable, Sendable {
    /// `Catalog`, `Collection`, `FeatureCollection` or `Feature`.
    public var type: String?
    /// The catalogue's or collection's identifier.
    public var id: String?
    /// The links (`search`, `child`, `item`, `next`).
    public var links: [STACLink]
    /// The items of an item collection.
    public var features: [STACItem]?
    /// The conformance classes a STAC API landing page declares.
    public var conformsTo: [String]?
    /// `numberMatched`, when the API counts.
    public var numberMatched: Int?

    private enum CodingKeys: String, CodingKey { case type, id, links, features, conformsTo, numberMatched }

    /// Decodes a document; missing `links` are empty.
    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        type = try container.decodeIfPresent(String.self, forKey: .type)
        id = try container.decodeIfPresent(String.self, forKey: .id)
        links = try container.decodeIfPresent([STACLink].self, forKey: .links) ?? []
        features = try container.decodeIfPresent([STACItem].self, forKey: .features)
        conformsTo = try container.decodeIfPresent([String].self, forKey: .conformsTo)
        numberMatched = try container.decodeIfPresent(Int.self, forKey: .numberMatched)
    }

    /// The links with relation `rel`.
    public func links(_ rel: String) -> [STACLink] { links.filter { $0.rel == rel } }
}
