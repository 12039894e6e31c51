import Foundation
import Testing

@testable import CubeSTAC

@Suite("STAC search requests")
struct STACSearchTests {
    func search() throws -> STACSearch {
        var search = STACSearch()
        search.collections = ["s2", "l8"]
        search.bbox = [170, -10, -170.5, 10]
        search.datetime = "2020-01-01T00:00:00Z/2020-01-31T23:59:59Z"
        search.query = try STACJSON(parsing: #"{"eo:cloud_cover": {"lt": 20}}"#)
        search.filter = try STACJSON(parsing: #"{"op": "=", "args": [{"property": "platform"}, "S2A"]}"#)
        search.limit = 2
        return search
    }

    @Test func postBodyHasEveryParameter() throws {
        #expect(try search().body.text == #"{"bbox":[170,-10,-170.5,10],"collections":["s2","l8"],"datetime":"2020-01-01T00:00:00Z\/2020-01-31T23:59:59Z","filter":{"args":[{"property":"platform"},"S2A"],"op":"="},"filter-lang":"cql2-json","limit":2,"query":{"eo:cloud_cover":{"lt":20}}}"#.replacingOccurrences(of: "\\/", with: "/"))
    }

    @Test func getQueryIsPercentEncoded() throws {
        let query = try search().queryString
        #expect(query.hasPrefix("collections=s2%2Cl8&bbox=170%2C-10%2C-170.5%2C10&datetime=2020-01-01T00%3A00%3A00Z%2F2020-01-31T23%3A59%3A59Z&query=%7B%22eo%3Acloud_cover%22"))
        #expect(query.hasSuffix("&filter-lang=cql2-json&limit=2"))
    }

    @Test(arguments: [
        ([170.0, -10, -170, 10], [175.0, 0, 176, 1], true),    // inside the part east of 170
        ([170.0, -10, -170, 10], [-175.0, 0, -174, 1], true),  // inside the part west of -170
        ([170.0, -10, -170, 10], [0.0, 0, 1, 1], false),       // far away in longitude
        ([0.0, 0, 10, 10], [5.0, 11, 6, 12], false),           // north of it
        ([0.0, 0, 10, 10], [10.0, 10, 11, 11], true),          // touching corner
    ])
    func staticBoxesIntersectAcrossTheAntimeridian(a: [Double], b: [Double], expected: Bool) {
        #expect(STACStaticFilter.intersects(a, b) == expected)
        #expect(STACStaticFilter.intersects(b, a) == expected)
    }

    @Test func staticFilterSelectsByCollectionIdAndTime() throws {
        var search = STACSearch()
        search.collections = ["s2"]
        search.datetime = "2020-01-02/.."
        let filter = STACStaticFilter(search)
        func item(_ id: String, _ collection: String, _ datetime: String) -> STACItem {
            STACItem(id: id, collection: collection, properties: ["datetime": .string(datetime)])
        }
        #expect(filter.matches(item("a", "s2", "2020-01-02T00:00:00Z")))
        #expect(!filter.matches(item("b", "s2", "2020-01-01T23:59:59Z")))
        #expect(!filter.matches(item("c", "l8", "2020-01-03T00:00:00Z")))
        search.ids = ["a"]
        #expect(!STACStaticFilter(search).matches(item("d", "s2", "2020-01-05T00:00:00Z")))
    }

    @Test func errorMessagesComeFromTheJSONBody() {
        #expect(STACClient.message(Array(#"{"code": "NotFound", "description": "no collection s3"}"#.utf8)) == "NotFound: no collection s3")
        #expect(STACClient.message(Array("plain\ntext".utf8)) == "plain text")
        // FastAPI's validation problems (stac-fastapi refusing a request): location and message of each.
        let problems = #"{"detail": [{"type": "enum", "loc": ["body", "query", "eo:cloud_cover", "below"], "msg": "Input should be 'lt'"},"#
            + #" {"loc": ["query", "limit", 0], "msg": "too big"}]}"#
        #expect(STACClient.message(Array(problems.utf8)) == "body.query.eo:cloud_cover.below: Input should be 'lt'; query.limit.0: too big")
    }
}
