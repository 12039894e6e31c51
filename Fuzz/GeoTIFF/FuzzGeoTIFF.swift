import CubeCore
import CubeStoreGeoTIFF
import Foundation
import FuzzSupport

/// Fuzz target: any bytes as a GeoTIFF held in memory (libtiff's client callbacks, the path
/// remote COGs take): the directories, tags, GeoKeys, georeferencing and GDAL metadata are
/// parsed (`describe`), and when that succeeds the first band's top-left 64 × 64 pixels are
/// read (block decoding, predictors, sample conversion, size checks).
@_cdecl("LLVMFuzzerTestOneInput")
func fuzzGeoTIFF(_ data: UnsafePointer<UInt8>?, _ count: Int) -> CInt {
    tryGeoTIFF(UnsafeRawBufferPointer(start: data, count: data == nil ? 0 : count))
    return 0
}

@Sendable func tryGeoTIFF(_ bytes: UnsafeRawBufferPointer) {
    let copy = Array(bytes)
    guard let structure = try? GeoTIFFStore.describe(bytes: copy, name: "fuzz.tif") else { return }
    // Images whose blocks would need more memory than the fuzzer allows are skipped, not read.
    let image = structure.image
    let block = image.blockSize
    guard block.width * block.height * image.samplesPerPixel * image.sampleType.size <= 64 << 20 else { return }
    FuzzHarness.wait {
        if let values = try? await GeoTIFFStore.readAll(bytes: copy, name: "fuzz.tif", limit: 64) {
            precondition(values.count == min(64, image.width) * min(64, image.height), "read \(values.count) values")
        }
    }
}

#if FUZZING
@_cdecl("FuzzGeoTIFF_main")
func fuzzMain(_ argc: CInt, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>) -> CInt {
    FuzzHarness.runLibFuzzer(argc, argv, fuzzGeoTIFF)
}
#else
@main struct Replay {
    static func main() { exit(FuzzHarness.replay(Array(CommandLine.arguments.dropFirst()), name: "fuzz-geotiff", tryGeoTIFF)) }
}
#endif
