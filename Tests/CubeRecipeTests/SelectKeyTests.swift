import CubeCore
import CubeRecipe
import Foundation
import Testing

/// `select:` on a variable: GRIB keys parsed as text, whole-number keys checked, unknown keys and an
/// empty mapping refused with the key path.
@Suite struct SelectKeyTests {
    private func recipe(_ variables: String) -> String {
        """
        version: 1
        cube: {id: s, title: select, license: CC0-1.0}
        grid: {crs: EPSG:4326, bbox: [-180, -90, 180, 90], resolution: 1}
        sources:
          - name: dt
            store: grib
            paths: [a.grib2]
            variables: \(variables)
        output: {path: s.zarr}
        """
    }

    private func parse(_ variables: String) -> (Recipe?, [Diagnostic]) {
        RecipeParser.parse(recipe(variables), fileURL: URL(fileURLWithPath: "/recipes/r.yaml"), displayName: "r.yaml")
    }

    @Test func selectKeysAreReadAsText() throws {
        let (parsed, diagnostics) = parse("{t2m: {select: {shortName: 2t, typeOfLevel: surface, number: 0, level: 2, paramId: 167}}}")
        let variable = try #require(parsed?.sources.first?.variables.first, "\(diagnostics)")
        #expect(variable.name == "t2m" && variable.sourceName == "t2m")
        #expect(variable.select == ["shortName": "2t", "typeOfLevel": "surface", "number": "0", "level": "2", "paramId": "167"])
        let (plain, _) = parse("{2t: {}}")
        #expect(plain?.sources.first?.variables.first?.select == nil)
    }

    @Test(arguments: [
        ("{t2m: {select: {colour: red}}}", "sources[0].variables.t2m.select.colour", "unknown key 'colour'"),
        ("{t2m: {select: {level: high}}}", "sources[0].variables.t2m.select.level", "expected a whole number"),
        ("{t2m: {select: {}}}", "sources[0].variables.t2m.select", "at least one key"),
        ("{t2m: {select: 2t}}", "sources[0].variables.t2m.select", "expected a mapping"),
    ])
    func badSelectionsNameTheKey(variables: String, key: String, says: String) {
        let errors = parse(variables).1.filter { $0.severity == .error }
        #expect(errors.contains { $0.key == key && $0.message.contains(says) }, "\(errors)")
    }
}
