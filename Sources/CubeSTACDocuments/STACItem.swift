public import CubeCore

/// A STAC item (a GeoJSON Feature): one scene or granule, its time, footprint, links and assets.
/// Fields not named here are ignored; `properties` keeps them all.
public struct STACItem: Codable, Hashable, Sendable {
    /// The item's identifier, unique within its collection.
    public var id: String
    /// The collection it belongs to.
    public var collection: String?
    /// Its footprint as west, south, east, north (WGS 84); `west > east` crosses the antimeridian.
    public var bbox: [Double]?
    /// Its properties (`datetime`, `start_datetime`, `proj:epsg`, `order:status`, …).
    public var properties: [String: STACJSON]
    /// Its links (`self`, `collection`, `retrieve`).
    public var links: [STACLink]
    /// Its assets by key.
    public var assets: [String: STACAsset]

    private enum CodingKeys: String, CodingKey { case id, collection, bbox, properties, links, assets }

    /// Decodes an item; missing `links` and `assets` are empty.
    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        id = try container.decode(String.self, forKey: .id)
        collection = try container.decodeIfPresent(String.self, forKey: .collection)
        bbox = try container.decodeIfPresent([Double].self, forKey: .bbox)
        properties = try container.decodeIfPresent([String: STACJSON].self, forKey: .properties) ?? [:]
        links = try container.decodeIfPresent([STACLink].self, forKey: .links) ?? []
        assets = try container.decodeIfPresent([String: STACAsset].self, forKey: .assets) ?? [:]
    }

    /// Creates an item.
    public init(id: String, collection: String? = nil, bbox: [Double]? = nil, properties: [String: STACJSON] = [:],
                links: [STACLink] = [], assets: [String: STACAsset] = [:]) {
        self.id = id
        self.collection = collection
        self.bbox = bbox
        self.properties = properties
        self.links = links
        self.assets = assets
    }

    /// The item's time as STAC gives it: `datetime`, or `start_datetime` when `datetime` is null.
    public var datetimeText: String? {
        properties["datetime"]?.stringValue ?? properties["start_datetime"]?.stringValue
    }

    /// The item's time, parsed (UTC), or `nil` when it has none or it is not RFC 3339.
    public var date: CalendarDate? { datetimeText.flatMap(CalendarDate.init(parsing:)) }

    /// The end of the item's time range (`end_datetime`, else its time).
    public var endDate: CalendarDate? { properties["end_datetime"]?.stringValue.flatMap(CalendarDate.init(parsing:)) ?? date }

    /// The first link with relation `rel`.
    public func link(_ rel: String) -> STACLink? { links.first { $0.rel == rel } }

    /// `"collection/id"`, or the id alone: how messages name the item.
    public var name: String { collection.map { "\($0)/\(id)" } ?? id }
}
