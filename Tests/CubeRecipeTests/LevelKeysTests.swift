import CubeCore
import CubeRecipe
import Foundation
import Testing

/// `levels:` and `level_units:` on a variable or a source (DESIGN.md §15), and a vertical
/// dimension in `output.chunks`.
@Suite struct LevelKeysTests {
    private func parse(source: String = "", variables: String, chunks: String = "{time: 1}") -> (Recipe?, [Diagnostic]) {
        let text = """
        version: 1
        cube: {id: l, title: levels, license: CC0-1.0}
        grid: {crs: EPSG:4326, bbox: [-180, -90, 180, 90], resolution: 1}
        sources:
          - name: pl
            store: grib
            paths: [a.grib2]
        \(source.isEmpty ? "" : "    " + source + "\n")    variables: \(variables)
        output: {path: l.zarr, chunks: \(chunks)}
        """
        return RecipeParser.parse(text, fileURL: URL(fileURLWithPath: "/recipes/r.yaml"), displayName: "r.yaml")
    }

    @Test func levelsAreReadInRecipeOrderWithUnits() throws {
        let (recipe, diagnostics) = parse(variables: "{t: {levels: [1000, 850, 500], level_units: hPa}, q: {}}", chunks: "{time: 1, plev: 1}")
        let variables = try #require(recipe?.sources.first?.variables, "\(diagnostics)")
        #expect(variables[0].levels == [1000, 850, 500] && variables[0].levelUnits == "hPa")
        #expect(variables[1].levels == nil && variables[1].levelUnits == nil)
        #expect(recipe?.output.chunks["plev"] == 1)
    }

    @Test func aSourcesLevelsApplyToVariablesWithoutTheirOwn() throws {
        let (recipe, diagnostics) = parse(source: "levels: [85000, 50000]\n    level_units: Pa",
                                          variables: "{t: {}, u: {levels: [1000]}}")
        let variables = try #require(recipe?.sources.first?.variables, "\(diagnostics)")
        #expect(variables[0].levels == [85000, 50000] && variables[0].levelUnits == "Pa")
        #expect(variables[1].levels == [1000] && variables[1].levelUnits == "Pa")
    }

    @Test(arguments: [
        ("{t: {levels: []}}", "sources[0].variables.t.levels", "at least one level"),
        ("{t: {levels: [850, 850]}}", "sources[0].variables.t.levels[1]", "listed twice"),
        ("{t: {levels: [high]}}", "sources[0].variables.t.levels[0]", "number"),
        ("{t: {levels: [850], level_units: bar}}", "sources[0].variables.t.level_units", "bar"),
        ("{t: {level_units: hPa}}", "sources[0].variables.t.level_units", "no effect without levels"),
    ])
    func badLevelsNameTheKey(variables: String, key: String, says: String) {
        let errors = parse(variables: variables).1.filter { $0.severity == .error }
        #expect(errors.contains { $0.key == key && $0.message.contains(says) }, "\(errors)")
    }
}
