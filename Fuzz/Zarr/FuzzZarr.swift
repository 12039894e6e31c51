import Foundation
import FuzzSupport
import Zarr

/// Fuzz target: Zarr array metadata and chunk decoding. The input is a `.zarray` (v2) or array
/// `zarr.json` (v3) document, a NUL byte, then the bytes of one stored chunk (v3: or shard),
/// decoded with the document's codecs (v3: shard index and crc32c checked). A group document
/// instead (v2 consolidated `.zmetadata`, v3 root `zarr.json` with inline consolidated metadata)
/// runs what the Zarr input store does with it: every array's codecs, dimension names and spec.
@_cdecl("LLVMFuzzerTestOneInput")
func fuzzZarr(_ data: UnsafePointer<UInt8>?, _ count: Int) -> CInt {
    tryZarr(UnsafeRawBufferPointer(start: data, count: data == nil ? 0 : count))
    return 0
}

@Sendable func tryZarr(_ bytes: UnsafeRawBufferPointer) {
    let split = bytes.firstIndex(of: 0) ?? bytes.count
    guard let json = try? JSONValue.parse(Array(bytes[0..<split])) else { return }
    _ = json.serialized()
    if json["zarr_consolidated_format"] != nil || json["node_type"]?.stringValue == "group" {
        tryGroup(json)
        return
    }
    if json["zarr_format"]?.intValue == 3 {
        tryZarr3(json, stored: Array(bytes[min(split + 1, bytes.count)...]))
        return
    }
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

/// A v3 array: its spec parsed, the stored object decoded; every chunk that decodes has the chunk's size.
func tryZarr3(_ json: JSONValue, stored: [UInt8]) {
    guard let spec = try? ZarrArraySpec(name: "fuzz", v3Document: json) else { return }
    _ = try? spec.v3Document().serialized()
    // Limits as a reader applies them: no chunk larger than 16 MiB, at most 65536 chunks a shard.
    guard spec.chunkByteCount <= 16 << 20, spec.chunksPerShard.reduce(1, *) <= 1 << 16,
        let decoder = try? ZarrChunkDecoder(spec: spec, format: .v3),
        let chunks = try? decoder.decode(stored, key: "fuzz/c/0")
    else { return }
    for chunk in chunks.compactMap({ $0 }) {
        precondition(chunk.count == spec.chunkByteCount, "a v3 chunk decoded to \(chunk.count) of \(spec.chunkByteCount) bytes")
    }
}

/// A group document as the Zarr input store reads it: consolidated arrays, their codec names,
/// dimension names and specs (and each spec rendered back).
func tryGroup(_ json: JSONValue) {
    let group = json["zarr_consolidated_format"] != nil ? try? ZarrGroupMetadata(v2Consolidated: json) : try? ZarrGroupMetadata(v3Root: json)
    for node in group?.arrays ?? [] {
        precondition(!node.name.contains("/") && !node.name.hasPrefix("."), "array name '\(node.name)' leaves the group")
        _ = node.unknownCodecs()
        _ = node.hasDimensionNames
        guard let spec = try? node.spec() else { continue }
        switch node.format {
        case .v2: _ = try? spec.v2Metadata().json.serialized()
        case .v3: _ = try? spec.v3Document().serialized()
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
