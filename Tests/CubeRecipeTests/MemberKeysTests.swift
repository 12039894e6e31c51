import CubeCore
import CubeRecipe
import Foundation
import Testing

/// `members:` on a variable or a source (DESIGN.md §16), and the member axis in `output.chunks`.
@Suite struct MemberKeysTests {
    private func parse(source: String = "", variables: String, chunks: String = "{time: 1}") -> (Recipe?, [Diagnostic]) {
        let text = """
        version: 1
        cube: {id: m, title: members, license: CC0-1.0}
        grid: {crs: EPSG:4326, bbox: [-180, -90, 180, 90], resolution: 1}
        sources:
          - name: ens
            store: grib
            paths: [a.grib2]
        \(source.isEmpty ? "" : "    " + source + "\n")    variables: \(variables)
        output: {path: m.zarr, chunks: \(chunks)}
        """
        return RecipeParser.parse(text, fileURL: URL(fileURLWithPath: "/recipes/r.yaml"), displayName: "r.yaml")
    }

    @Test func membersAreReadInRecipeOrder() throws {
        let (recipe, diagnostics) = parse(variables: "{t: {members: [3, 0, 1]}, q: {}}", chunks: "{time: 1, member: 1}")
        let variables = try #require(recipe?.sources.first?.variables, "\(diagnostics)")
        #expect(variables[0].members == [3, 0, 1])
        #expect(variables[1].members == nil)
        #expect(recipe?.output.chunks["member"] == 1)
    }

    @Test func aSourcesMembersApplyToVariablesWithoutTheirOwnOrASelectedNumber() throws {
        let (recipe, diagnostics) = parse(source: "members: [0, 1]",
                                          variables: "{t: {}, u: {members: [2]}, v: {select: {shortName: v, number: 4}}}")
        let variables = try #require(recipe?.sources.first?.variables, "\(diagnostics)")
        #expect(variables[0].members == [0, 1])
        #expect(variables[1].members == [2])
        #expect(variables[2].members == nil && variables[2].select?["number"] == "4")
    }

    @Test(arguments: [
        ("{t: {members: []}}", "sources[0].variables.t.members", "at least one member"),
        ("{t: {members: [1, 1]}}", "sources[0].variables.t.members[1]", "listed twice"),
        ("{t: {members: [-1]}}", "sources[0].variables.t.members[0]", "not an ensemble member number"),
        ("{t: {members: [first]}}", "sources[0].variables.t.members[0]", "whole number"),
        ("{t: {members: [0], select: {number: 0}}}", "sources[0].variables.t.select.number", "not both"),
    ])
    func badMembersNameTheKey(variables: String, key: String, says: String) {
        let errors = parse(variables: variables).1.filter { $0.severity == .error }
        #expect(errors.contains { $0.key == key && $0.message.contains(says) }, "\(errors)")
    }
}
