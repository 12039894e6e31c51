import CubeCore
import CubeStoreNetCDF
import Foundation
import FuzzSupport

/// Fuzz target: any bytes as a NetCDF-3/4 file: `describe` (CF axes, grid mapping, time, packing)
/// and, when that succeeds, a small read of every gridded variable's first step through the
/// direct HDF5 chunk path (decoding, Fletcher-32, Adler-32 and size checks).
@_cdecl("LLVMFuzzerTestOneInput")
func fuzzNetCDF(_ data: UnsafePointer<UInt8>?, _ count: Int) -> CInt {
    tryNetCDF(UnsafeRawBufferPointer(start: data, count: data == nil ? 0 : count))
    return 0
}

/// With `CUBEGEN_FUZZ_NETCDF_CLASSIC_ONLY=1` only classic files ("CDF…") are tried: HDF5 1.10.8
/// loops forever on some damaged HDF5 files (`Fuzz/library-hangs/`), which a short smoke run in
/// `make test` must not trip over. `make fuzz` tries everything.
private let classicOnly = ProcessInfo.processInfo.environment["CUBEGEN_FUZZ_NETCDF_CLASSIC_ONLY"] == "1"

private let scratch = FileManager.default.temporaryDirectory.appendingPathComponent("cubegen-fuzz-netcdf-\(getpid()).nc").path

@Sendable func tryNetCDF(_ bytes: UnsafeRawBufferPointer) {
    if classicOnly && !(bytes.count >= 3 && bytes[0] == 0x43 && bytes[1] == 0x44 && bytes[2] == 0x46) { return }
    guard FileManager.default.createFile(atPath: scratch, contents: Data(bytes)) else { return }
    FuzzHarness.wait {
        let store = NetCDFStore(directChunkReads: true)
        guard let descriptor = try? await store.describe(path: scratch),
              let reader = try? await store.open(path: scratch) else { return }
        let window = PixelWindow(rows: 0..<min(4, descriptor.grid.height), columns: 0..<min(4, descriptor.grid.width))
        guard !window.rows.isEmpty, !window.columns.isEmpty else { return }
        for variable in descriptor.variables.prefix(4) {
            if let values = try? await reader.read(variable.name, timeIndex: 0, window: window) {
                precondition(values.count == window.count, "read \(values.count) values for a window of \(window.count)")
            }
        }
    }
}

#if FUZZING
@_cdecl("FuzzNetCDF_main")
func fuzzMain(_ argc: CInt, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>) -> CInt {
    FuzzHarness.runLibFuzzer(argc, argv, fuzzNetCDF)
}
#else
@main struct Replay {
    static func main() { exit(FuzzHarness.replay(Array(CommandLine.arguments.dropFirst()), name: "fuzz-netcdf", tryNetCDF)) }
}
#endif
