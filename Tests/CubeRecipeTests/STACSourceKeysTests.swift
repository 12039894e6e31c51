import CubeCore
import CubeRecipe
import Foundation
import Testing

/// The keys of `store: stac` sources: search parameters, assets, per-variable `asset`.
@Suite struct STACSourceKeysTests {
    private func recipe(_ sourceKeys: String, store: String = "stac", variables: String = "red: {}\nnir: {asset: B08}")
        -> (Recipe?, [Diagnostic]) {
        let indent = { (text: String, n: Int) in text.split(separator: "\n").map { String(repeating: " ", count: n) + $0 }.joined(separator: "\n") }
        let text = """
            version: 1
            cube: {id: c, title: t, license: CC0-1.0}
            grid: {crs: EPSG:4326, bbox: [0, 0, 10, 10], resolution: 1}
            sources:
              - name: s2
                store: \(store)
            \(indent(sourceKeys, 4))
                variables:
            \(indent(variables, 6))
            output: {path: out.zarr}
            """
        return RecipeParser.parse(text, fileURL: URL(fileURLWithPath: "/r/r.yaml"), displayName: "r.yaml")
    }

    @Test func everyKeyParses() throws {
        let (parsed, diagnostics) = recipe("""
            url: catalogue/catalog.json
            collections: [s2, l8]
            ids: a
            query: {"eo:cloud_cover": {lt: 20}, "platform": {eq: "S2A"}}
            filter: {op: and, args: [{op: "=", args: [{property: x}, 1.5]}, {op: isNull, args: [{property: y}]}]}
            bbox: [170, -10, -170, 10]
            datetime: 2020-01-01T00:00:00Z/..
            limit: 50
            method: GET
            format: geotiff
            assets: {B04: red}
            """)
        #expect(diagnostics.filter { $0.severity == .error }.isEmpty, "\(diagnostics)")
        let source = try #require(parsed?.sources[0])
        let stac = try #require(source.stac)
        #expect(source.paths.isEmpty)
        #expect(stac.url == "/r/catalogue/catalog.json")
        #expect(stac.collections == ["s2", "l8"] && stac.ids == ["a"])
        #expect(stac.queryJSON == #"{"eo:cloud_cover":{"lt":20},"platform":{"eq":"S2A"}}"#)
        #expect(stac.filterJSON == #"{"args":[{"args":[{"property":"x"},1.5],"op":"="},{"args":[{"property":"y"}],"op":"isNull"}],"op":"and"}"#)
        #expect(stac.bbox == [170, -10, -170, 10])
        #expect(stac.datetime == "2020-01-01T00:00:00Z/..")
        #expect(stac.limit == 50 && stac.method == "GET" && stac.format == "geotiff")
        #expect(stac.assets == ["B04": "red", "B08": "nir"])
    }

    @Test func urlsStayAsWritten() throws {
        let stac = try #require(recipe("url: http://127.0.0.1:7822\nassets: {B04: red}").0?.sources[0].stac)
        #expect(stac.url == "http://127.0.0.1:7822")
    }

    @Test(arguments: [
        ("assets: {B04: red}", "sources[0].url"),
        ("url: x.json\nassets: {B04: red}\npaths: [a.tif]", "sources[0].paths"),
        ("url: x.json\nassets: {B04: red}\nlimit: 0", "sources[0].limit"),
        ("url: x.json\nassets: {B04: red}\nmethod: PUT", "sources[0].method"),
        ("url: x.json\nassets: {B04: red}\nformat: jpeg", "sources[0].format"),
        ("url: x.json\nassets: {B04: red}\nbbox: [0, 10, 1, 5]", "sources[0].bbox"),
        ("url: x.json\nassets: {B04: red}\ndatetime: yesterday", "sources[0].datetime"),
        ("url: x.json\nassets: {B04: red}\nquery: [1, 2]", "sources[0].query"),
        ("url: x.json", "sources[0].variables.red"),
        ("url: x.json\nassets: {B04: red, B08: blue}", "sources[0].variables.nir.asset"),
    ])
    func badValuesNameTheirKey(keys: String, key: String) {
        let errors = recipe(keys).1.filter { $0.severity == .error }
        #expect(errors.contains { $0.key == key }, "\(errors.map(\.description))")
    }

    @Test func stacKeysOnOtherStoresAreErrors() {
        let errors = recipe("paths: [a.tif]\nurl: http://x\ncollections: [c]", store: "geotiff").1.filter { $0.severity == .error }
        for key in ["sources[0].url", "sources[0].collections", "sources[0].variables.nir.asset"] {
            #expect(errors.contains { $0.key == key }, "\(key): \(errors.map(\.description))")
        }
    }
}
