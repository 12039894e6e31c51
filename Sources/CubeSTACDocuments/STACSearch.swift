import Foundation

/// The parameters of a STAC API item search (`/search`): the same request as a `POST` body or
/// as `GET` query parameters.
public struct STACSearch: Hashable, Sendable {
    /// `collections`: the collections to search.
    public var collections: [String] = []
    /// `ids`: item identifiers.
    public var ids: [String] = []
    /// `bbox`: west, south, east, north in WGS 84 (`west > east` crosses the antimeridian).
    public var bbox: [Double]?
    /// `datetime`: an RFC 3339 instant or interval (`2020-01-01T00:00:00Z/2020-02-01T00:00:00Z`, `..` open).
    public var datetime: String?
    /// `query`: the Query extension's object (`{"eo:cloud_cover": {"lt": 20}}`).
    public var query: STACJSON?
    /// `filter`: a CQL2-JSON expression (Filter extension), sent with `filter-lang: cql2-json`.
    public var filter: STACJSON?
    /// `limit`: items per page.
    public var limit: Int?

    /// Creates an empty search (everything).
    public init() {}

    /// The `POST` body.
    public var body: STACJSON {
        var members: [String: STACJSON] = [:]
        if !collections.isEmpty { members["collections"] = .array(collections.map(STACJSON.string)) }
        if !ids.isEmpty { members["ids"] = .array(ids.map(STACJSON.string)) }
        if let bbox { members["bbox"] = .array(bbox.map(STACJSON.number)) }
        if let datetime { members["datetime"] = .string(datetime) }
        if let query { members["query"] = query }
        if let filter {
            members["filter"] = filter
            members["filter-lang"] = .string("cql2-json")
        }
        if let limit { members["limit"] = .number(Double(limit)) }
        return .object(members)
    }

    /// The `GET` query string (without `?`), parameters in a fixed order, percent-encoded.
    public var queryString: String {
        var parameters: [(String, String)] = []
        if !collections.isEmpty { parameters.append(("collections", collections.joined(separator: ","))) }
        if !ids.isEmpty { parameters.append(("ids", ids.joined(separator: ","))) }
        if let bbox { parameters.append(("bbox", bbox.map { STACSearch.number($0) }.joined(separator: ","))) }
        if let datetime { parameters.append(("datetime", datetime)) }
        if let query { parameters.append(("query", query.text)) }
        if let filter {
            parameters.append(("filter", filter.text))
            parameters.append(("filter-lang", "cql2-json"))
        }
        if let limit { parameters.append(("limit", String(limit))) }
        return parameters.map { "\($0.0)=\(STACSearch.encode($0.1))" }.joined(separator: "&")
    }

    /// A number without a needless `.0`.
    public static func number(_ value: Double) -> String {
        value == value.rounded() && abs(value) < 1e15 ? String(Int64(value)) : String(value)
    }

    /// Percent-encodes a query value (RFC 3986 unreserved characters stay).
    public static func encode(_ value: String) -> String {
        var allowed = CharacterSet.alphanumerics
        allowed.insert(charactersIn: "-._~")
        return value.addingPercentEncoding(withAllowedCharacters: allowed) ?? value
    }
}
