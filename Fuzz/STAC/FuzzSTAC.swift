import CubeCore
import CubeSTACDocuments
import Foundation
import FuzzSupport

/// Fuzz target: any bytes as a STAC JSON document, as the STAC store reads them — a landing page,
/// static catalogue or collection (links), a page of search results (a FeatureCollection of items,
/// a `next` link with a POST body), or a single item. For every item it takes what a search uses:
/// dates, names, the item's own URL, every asset href resolved against it, the static filter
/// (collections, ids, bbox across the antimeridian, datetime intervals); free-form JSON values
/// (properties, link bodies) must survive a write and a re-read unchanged.
@_cdecl("LLVMFuzzerTestOneInput")
func fuzzSTAC(_ data: UnsafePointer<UInt8>?, _ count: Int) -> CInt {
    trySTAC(UnsafeRawBufferPointer(start: data, count: data == nil ? 0 : count))
    return 0
}

/// Searches the filter is tried with: a plain box and interval, a box across the antimeridian
/// with an open interval, and collections + ids.
private let searches: [STACSearch] = {
    var plain = STACSearch()
    plain.bbox = [5, 45, 15, 55]
    plain.datetime = "2020-01-01T00:00:00Z/2020-12-31T23:59:59Z"
    var wrapped = STACSearch()
    wrapped.bbox = [170, -20, -170, 20]
    wrapped.datetime = "2020-06-01/.."
    var named = STACSearch()
    named.collections = ["sentinel-2-l2a", "dt"]
    named.ids = ["a", "b"]
    named.limit = 100
    return [plain, wrapped, named]
}()

private let page = URL(string: "https://stac.example/api/search?page=2")!

@Sendable func trySTAC(_ bytes: UnsafeRawBufferPointer) {
    let data = Data(bytes)
    let decoder = JSONDecoder()
    if let document = try? decoder.decode(STACDocument.self, from: data) {
        for link in document.links { checkRoundTrip(link.body) }
        _ = document.links("next").first.map { URL(string: $0.href, relativeTo: page) }
        for item in document.features ?? [] { check(item) }
    }
    if let item = try? decoder.decode(STACItem.self, from: data) { check(item) }
}

private func check(_ item: STACItem) {
    _ = (item.date, item.endDate, item.name, item.datetimeText)
    let found = STACFoundItem(item: item, source: page)
    _ = found.url
    for key in item.assets.keys.sorted() { _ = found.resolve(item.assets[key]!.href) }
    for value in item.properties.values { checkRoundTrip(value) }
    for search in searches {
        _ = STACStaticFilter(search).matches(item)
        if let box = item.bbox, let other = search.bbox {
            precondition(STACStaticFilter.intersects(box, other) == STACStaticFilter.intersects(other, box),
                         "intersects is not symmetric for \(box) and \(other)")
        }
    }
    var byID = STACSearch()
    byID.ids = [item.id]
    byID.collections = item.collection.map { [$0] } ?? []
    byID.bbox = item.bbox
    byID.datetime = item.datetimeText
    _ = (byID.queryString, byID.body.text)
    // An item must pass the search made of its own id, collection and datetime (no bbox: a
    // damaged box may not intersect itself; no reversed or slashed interval).
    byID.bbox = nil
    if let start = item.date, let end = item.endDate, !(end < start), !(item.datetimeText ?? "").contains("/") { precondition(STACStaticFilter(byID).matches(item), "item '\(item.id)' fails its own search") }
}

/// A free-form JSON value written and read again is the same value.
private func checkRoundTrip(_ value: STACJSON?) {
    guard let value else { return }
    let text = value.text
    guard let again = try? STACJSON(parsing: text) else { preconditionFailure("STAC JSON written as '\(text)' does not parse") }
    precondition(again == value, "STAC JSON changed on a round trip: '\(text)'")
}

#if FUZZING
@_cdecl("FuzzSTAC_main")
func fuzzMain(_ argc: CInt, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>) -> CInt {
    FuzzHarness.runLibFuzzer(argc, argv, fuzzSTAC)
}
#else
@main struct Replay {
    static func main() { exit(FuzzHarness.replay(Array(CommandLine.arguments.dropFirst()), name: "fuzz-stac", trySTAC)) }
}
#endif
