import CubeCore
import Foundation
import Testing

@testable import CubeSTAC

@Suite("STAC documents")
struct STACItemTests {
    let itemText = """
        {"type": "Feature", "stac_version": "1.0.0", "id": "S2A_1", "collection": "s2",
         "bbox": [10, 45, 11, 46], "geometry": null,
         "properties": {"datetime": null, "start_datetime": "2020-01-02T10:30:00Z", "end_datetime": "2020-01-02T10:31:00Z",
                        "eo:cloud_cover": 12.5},
         "links": [{"rel": "self", "href": "https://example.org/collections/s2/items/S2A_1"}],
         "assets": {"B04": {"href": "B04.tif", "type": "image/tiff; application=geotiff; profile=cloud-optimized",
                            "file:checksum": "1220abcd", "file:size": 1234, "roles": ["data"]}}}
        """

    @Test func decodesItemWithStartDatetimeAndFileExtension() throws {
        let item = try JSONDecoder().decode(STACItem.self, from: Data(itemText.utf8))
        #expect(item.id == "S2A_1")
        #expect(item.name == "s2/S2A_1")
        #expect(item.datetimeText == "2020-01-02T10:30:00Z")
        #expect(item.date == CalendarDate(year: 2020, month: 1, day: 2, secondOfDay: 37800))
        #expect(item.endDate == CalendarDate(year: 2020, month: 1, day: 2, secondOfDay: 37860))
        #expect(item.assets["B04"]?.checksum == "1220abcd")
        #expect(item.assets["B04"]?.size == 1234)
        #expect(item.properties["eo:cloud_cover"]?.numberValue == 12.5)
    }

    @Test func relativeAssetHrefsResolveAgainstTheSelfLink() throws {
        let item = try JSONDecoder().decode(STACItem.self, from: Data(itemText.utf8))
        let found = STACFoundItem(item: item, source: URL(string: "http://127.0.0.1:1/search")!)
        #expect(found.url == "https://example.org/collections/s2/items/S2A_1")
        #expect(found.resolve("B04.tif") == "https://example.org/collections/s2/items/B04.tif")
        #expect(found.resolve("s3://bucket/B04.tif") == "s3://bucket/B04.tif")
    }

    @Test func staticItemsResolveToFilePaths() throws {
        var item = try JSONDecoder().decode(STACItem.self, from: Data(itemText.utf8))
        item.links = []
        let found = STACFoundItem(item: item, source: URL(fileURLWithPath: "/data/cat/items/a.json"))
        #expect(found.resolve("../tiles/B04.tif") == "/data/cat/tiles/B04.tif")
        #expect(found.url == "file:///data/cat/items/a.json#S2A_1")
    }

    @Test func itemWithoutDatetimeHasNoDate() throws {
        let text = #"{"type": "Feature", "id": "x", "properties": {"datetime": null}, "assets": {}}"#
        let item = try JSONDecoder().decode(STACItem.self, from: Data(text.utf8))
        #expect(item.date == nil)
        #expect(item.links.isEmpty)
    }

    @Test func nextLinkWithPostBodyDecodes() throws {
        let text = """
            {"type": "FeatureCollection", "features": [],
             "links": [{"rel": "next", "href": "http://h/search", "method": "POST", "merge": true, "body": {"token": "next:abc"}}]}
            """
        let page = try JSONDecoder().decode(STACDocument.self, from: Data(text.utf8))
        let next = try #require(page.links("next").first)
        #expect(next.method == "POST")
        #expect(next.merge == true)
        #expect(next.body?["token"]?.stringValue == "next:abc")
    }
}
