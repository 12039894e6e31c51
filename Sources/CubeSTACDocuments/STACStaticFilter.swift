import CubeCore

/// The item search of a static catalogue, done here: `collections`, `ids`, `bbox` (intersects,
/// antimeridian-aware) and `datetime` (the item's time or range intersects the interval).
public struct STACStaticFilter: Sendable {
    /// The search this filter applies.
    public let search: STACSearch
    private let interval: (start: CalendarDate?, end: CalendarDate?)

    /// A filter for `search`; an unparsable `datetime` bound is open.
    public init(_ search: STACSearch) {
        self.search = search
        let parts = (search.datetime ?? "..").split(separator: "/", omittingEmptySubsequences: false).map(String.init)
        func bound(_ text: String) -> CalendarDate? { text == ".." || text.isEmpty ? nil : CalendarDate(parsing: text) }
        interval = parts.count == 2 ? (bound(parts[0]), bound(parts[1])) : (bound(parts[0]), bound(parts[0]))
    }

    /// Whether `item` passes every criterion of the search.
    public func matches(_ item: STACItem) -> Bool {
        if !search.collections.isEmpty, !search.collections.contains(item.collection ?? "") { return false }
        if !search.ids.isEmpty, !search.ids.contains(item.id) { return false }
        if let box = search.bbox, let itemBox = item.bbox, !Self.intersects(box, itemBox) { return false }
        if search.datetime != nil, let start = item.date {
            let end = item.endDate ?? start
            if let low = interval.start, end < low { return false }
            if let high = interval.end, high < start { return false }
        }
        return true
    }

    /// Whether two WGS 84 boxes (west, south, east, north; 2-D or 3-D) intersect.
    public static func intersects(_ a: [Double], _ b: [Double]) -> Bool {
        func parts(_ box: [Double]) -> (lons: [(Double, Double)], lat: (Double, Double))? {
            guard box.count == 4 || box.count == 6 else { return nil }
            let (w, s, e, n) = box.count == 4 ? (box[0], box[1], box[2], box[3]) : (box[0], box[1], box[3], box[4])
            return (w <= e ? [(w, e)] : [(w, 180), (-180, e)], (s, n))
        }
        guard let pa = parts(a), let pb = parts(b) else { return true }
        guard pa.lat.0 <= pb.lat.1, pb.lat.0 <= pa.lat.1 else { return false }
        return pa.lons.contains { x in pb.lons.contains { y in x.0 <= y.1 && y.0 <= x.1 } }
    }

    /// The filter as text, for the search record.
    public static func describe(_ search: STACSearch) -> String {
        var parts: [String] = []
        if !search.collections.isEmpty { parts.append("collections=\(search.collections.joined(separator: ","))") }
        if !search.ids.isEmpty { parts.append("ids=\(search.ids.joined(separator: ","))") }
        if let bbox = search.bbox { parts.append("bbox=\(bbox.map { STACSearch.number($0) }.joined(separator: ","))") }
        if let datetime = search.datetime { parts.append("datetime=\(datetime)") }
        return parts.isEmpty ? "nothing" : parts.joined(separator: " ")
    }
}
