import Foundation
import CubeStorage
import Zarr

/// `lineage.json` against the cube: its identity, recipe hash and variables, and the per-variable
/// `cubegen_lineage` attributes written from it.
struct LineageCheck {
    static let fileName = "lineage.json"

    let cube: CubeSnapshot
    let lineage: Lineage

    /// Reads `lineage.json`; a missing file is a warning (a cube not made by cubegen), a broken one an error.
    static func load(_ cube: CubeSnapshot, into problems: inout [VerificationProblem]) async -> Lineage? {
        guard cube.keys.contains(fileName), let data = try? await cube.storage.get(StoreKey(fileName)) else {
            problems.append(VerificationProblem(.warning, .catalogue, "no \(fileName) in the cube: its lineage is unknown"))
            return nil
        }
        do {
            return try Lineage(json: try JSONValue.parse(Array(data)))
        } catch {
            problems.append(VerificationProblem(.error, .catalogue, "\(fileName) cannot be read: \(error)"))
            return nil
        }
    }

    func run(into problems: inout [VerificationProblem]) {
        func error(_ message: String) { problems.append(VerificationProblem(.error, .catalogue, message)) }
        if let id = cube.attributes["id"]?.stringValue, id != lineage.cubeID {
            error("\(LineageCheck.fileName) is for cube '\(lineage.cubeID)', the cube's id attribute is '\(id)'")
        }
        if let hash = cube.attributes["cubegen_recipe_sha256"]?.stringValue, hash != lineage.recipe.sha256 {
            error("\(LineageCheck.fileName) names recipe sha256 \(lineage.recipe.sha256), the cube's attribute \(hash)")
        }
        let cubeNames = Set(cube.dataVariables.map(\.name)), lineageNames = Set(lineage.variables.map(\.name))
        for name in cubeNames.subtracting(lineageNames).sorted() { error("data variable '\(name)' has no record in \(LineageCheck.fileName)") }
        for name in lineageNames.subtracting(cubeNames).sorted() { error("\(LineageCheck.fileName) records variable '\(name)', which the cube does not have") }
        for variable in lineage.variables {
            guard let node = cube.arrays[variable.name] else { continue }
            if node.attributes["cubegen_lineage"]?.stringValue != variable.stepsText {
                error("attribute 'cubegen_lineage' of '\(variable.name)' does not match \(LineageCheck.fileName)")
            }
        }
    }
}
