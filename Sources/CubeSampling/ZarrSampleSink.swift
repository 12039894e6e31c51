import CubeCore
import Foundation
import Zarr

/// One Zarr v2 group per split (`SPLIT.zarr`): per variable an array `(sample, time, y, x)` of
/// float32 chunked by `shard_size` samples, plus `t0`, `y0`, `x0` (each sample's window origin in
/// the cube), consolidated metadata so xarray opens it directly.
struct ZarrSampleSink: SampleSink {
    private let folder: URL
    private let names: [String]
    private let patch: SamplingShape
    private let shardSize: Int
    private let attributes: [JSONValue]
    private let groupAttributes: JSONValue
    private var buffered: [[Float]]
    private var pending = 0
    private var chunkIndex = 0
    private var origins: [[Int]] = []
    /// One chunk writer per variable, made at the first flush.
    private var writers: [ZarrChunkWriter] = []
    private(set) var files: [String] = []
    private let relative: String

    static let compressor: JSONValue = .object([("id", .string("zstd")), ("level", .int(3))])

    init(output: URL, split: SampleSplit, names: [String], attributes: [JSONValue], patch: SamplingShape, shardSize: Int,
         groupAttributes: JSONValue) {
        relative = "\(split.rawValue).zarr"
        folder = output.appendingPathComponent(relative)
        self.names = names
        self.patch = patch
        self.shardSize = shardSize
        self.attributes = attributes
        self.groupAttributes = groupAttributes
        buffered = names.map { _ in [] }
    }

    private func spec(_ v: Int, count: Int) -> ZarrArraySpec {
        ZarrArraySpec(name: names[v], shape: [count, patch.time, patch.y, patch.x], chunks: [shardSize, patch.time, patch.y, patch.x],
                      dataType: .float32, fillValue: .nan, codecs: ZarrCodecChain(compressor: Self.compressor),
                      dimensionNames: ["sample", "time", "y", "x"], attributes: attributes[v])
    }

    mutating func append(id: String, origin: [Int], values: [[Float]], metadata: String) throws {
        for v in names.indices { buffered[v] += values[v] }
        origins.append(origin)
        pending += 1
        if pending == shardSize { try flush() }
    }

    private mutating func flush() throws {
        guard pending > 0 else { return }
        if writers.isEmpty { writers = try names.indices.map { try ZarrChunkWriter(spec: spec($0, count: shardSize), format: .v2) } }
        let cells = patch.time * patch.y * patch.x
        for v in names.indices {
            var values = buffered[v]
            values += [Float](repeating: .nan, count: (shardSize - pending) * cells)
            let bytes = littleEndianBytes(values)
            let unit = try writers[v].encode(at: [chunkIndex, 0, 0, 0], bytes: bytes)
            if let stored = unit.bytes {
                try writeFile(stored, to: folder.appendingPathComponent(unit.key))
                files.append("\(relative)/\(unit.key)")
            }
            buffered[v] = []
        }
        chunkIndex += 1
        pending = 0
    }

    mutating func finish() throws {
        try flush()
        let count = origins.count
        var arrays = names.indices.map { spec($0, count: count) }
        for (k, axis) in ["t0", "y0", "x0"].enumerated() {
            let index = ZarrArraySpec(name: axis, shape: [count], chunks: [max(1, count)], dataType: .int64, fillValue: .number(-1),
                                      codecs: ZarrCodecChain(compressor: Self.compressor), dimensionNames: ["sample"],
                                      attributes: .object([("long_name", .string("\(["time", "y", "x"][k]) index of the window origin in the cube"))]))
            arrays.append(index)
            guard count > 0 else { continue }
            var bytes = [UInt8]()
            for origin in origins { withUnsafeBytes(of: Int64(origin[k]).littleEndian) { bytes.append(contentsOf: $0) } }
            let unit = try ZarrChunkWriter(spec: index, format: .v2).encode(at: [0], bytes: bytes)
            if let stored = unit.bytes {
                try writeFile(stored, to: folder.appendingPathComponent(unit.key))
                files.append("\(relative)/\(unit.key)")
            }
        }
        let hierarchy = ZarrHierarchy(format: .v2, attributes: groupAttributes, arrays: arrays)
        for (key, document) in try hierarchy.documents() + [try hierarchy.consolidated()] {
            try writeFile(Array(document.serialized().utf8), to: folder.appendingPathComponent(key))
            files.append("\(relative)/\(key)")
        }
        files.sort()
    }
}
