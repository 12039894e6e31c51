import CubeRecipe
import Foundation
import FuzzSupport

/// Fuzz target: any bytes as a recipe (YAML parsing, validation, diagnostics).
@_cdecl("LLVMFuzzerTestOneInput")
func fuzzRecipe(_ data: UnsafePointer<UInt8>?, _ count: Int) -> CInt {
    let bytes = UnsafeRawBufferPointer(start: data, count: data == nil ? 0 : count)
    tryRecipe(bytes)
    return 0
}

@Sendable func tryRecipe(_ bytes: UnsafeRawBufferPointer) {
    let text = String(decoding: bytes, as: UTF8.self)
    let (recipe, diagnostics) = RecipeParser.parse(text, fileURL: URL(fileURLWithPath: "/nonexistent/fuzz.yaml"))
    // Every outcome is a recipe or at least one diagnostic, never neither.
    precondition(recipe != nil || !diagnostics.isEmpty, "no recipe and no diagnostic")
}

#if FUZZING
@_cdecl("FuzzRecipe_main")
func fuzzMain(_ argc: CInt, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>) -> CInt {
    FuzzHarness.runLibFuzzer(argc, argv, fuzzRecipe)
}
#else
@main struct Replay {
    static func main() { exit(FuzzHarness.replay(Array(CommandLine.arguments.dropFirst()), name: "fuzz-recipe", tryRecipe)) }
}
#endif
