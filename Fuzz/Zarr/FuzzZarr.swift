import Foundation
import FuzzSupport
import Zarr

/// Fuzz target: Zarr v2 array metadata and chunk decoding. The input is a `.zarray` document, a NUL
/// byte, then the bytes of one stored chunk, decoded with the document's compressor.
@_cdecl("LLVMFuzzerTestOneInput")
func fuzzZarr(_ data: UnsafePointer<UInt8>?, _ count: Int) -> CInt {
    tryZarr(UnsafeRawBufferPointer(start: data, count: data == nil ? 0 : count))
    return 0
}

@Sendable func tryZarr(_ bytes: UnsafeRawBufferPointer) {
    let split = bytes.firstIndex(of: 0) ?? bytes.count
    guard let json = try? JSONValue.parse(Array(bytes[0..<split])) else { return }
    _ = json.serialized()
    guard let metadata = try? ZarrV2ArrayMetadata(json: json) else { return }
    let chunk = Array(bytes[min(split + 1, bytes.count)...])
    // Limits as a reader applies them: no chunk larger than 16 MiB decoded.
    let elements = metadata.chunks.reduce(1) { $0.multipliedReportingOverflow(by: max($1, 0)).partialValue }
    guard elements > 0, elements <= 4 << 20 else { return }
    let size = elements * metadata.dataType.size
    if let compressor = metadata.compressor,
       let codec = try? CodecRegistry.standard.makeCodec(compressor, elementSize: metadata.dataType.size) {
        if let decoded = try? codec.decode(chunk, decodedCount: size) {
            precondition(decoded.count == size, "codec \(compressor) returned \(decoded.count) of \(size) bytes")
        }
    }
}

#if FUZZING
@_cdecl("FuzzZarr_main")
func fuzzMain(_ argc: CInt, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>) -> CInt {
    FuzzHarness.runLibFuzzer(argc, argv, fuzzZarr)
}
#else
@main struct Replay {
    static func main() { exit(FuzzHarness.replay(Array(CommandLine.arguments.dropFirst()), name: "fuzz-zarr", tryZarr)) }
}
#endif
