import CubeCore
import CubeStoreGRIB
import Foundation
import FuzzSupport

/// Fuzz target: any bytes as a GRIB file. The store indexes it through ecCodes (with CubeGen's
/// HEALPix definitions on the path), groups messages into variables (`describe`), and when that
/// succeeds reads the first variable's first step over a window of at most 16 × 16 (decoding,
/// bitmaps, scanning modes, size checks). ecCodes reads files, so the bytes go through a file
/// in a private temporary folder.
@_cdecl("LLVMFuzzerTestOneInput")
func fuzzGRIB(_ data: UnsafePointer<UInt8>?, _ count: Int) -> CInt {
    tryGRIB(UnsafeRawBufferPointer(start: data, count: data == nil ? 0 : count))
    return 0
}

private let folder: String = {
    let path = NSTemporaryDirectory() + "cubegen-fuzz-grib-\(getpid())"
    try? FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
    return path
}()

@Sendable func tryGRIB(_ bytes: UnsafeRawBufferPointer) {
    let path = folder + "/input.grib"
    guard FileManager.default.createFile(atPath: path, contents: Data(bytes)) else { return }
    FuzzHarness.wait {
        let store = GRIBStore()
        guard let descriptor = try? await store.describe(path: path), let variable = descriptor.variables.first,
              !descriptor.dates.isEmpty || variable.dimensions.count == 2 else { return }
        let window = PixelWindow(rows: 0..<min(16, descriptor.grid.height), columns: 0..<min(16, descriptor.grid.width))
        if let reader = try? await store.open(path: path),
           let values = try? await reader.read(variable.name, timeIndex: 0, window: window) {
            precondition(values.count == window.count, "read \(values.count) values for a window of \(window.count)")
        }
    }
}

#if FUZZING
@_cdecl("FuzzGRIB_main")
func fuzzMain(_ argc: CInt, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>) -> CInt {
    FuzzHarness.runLibFuzzer(argc, argv, fuzzGRIB)
}
#else
@main struct Replay {
    static func main() { exit(FuzzHarness.replay(Array(CommandLine.arguments.dropFirst()), name: "fuzz-grib", tryGRIB)) }
}
#endif
