import CubeStorage
import Foundation
import Testing
import Zarr

private func bytes<T>(_ values: [T]) -> [UInt8] { values.withUnsafeBytes { Array($0) } }

private func le64(_ v: UInt64) -> [UInt8] { withUnsafeBytes(of: v.littleEndian) { Array($0) } }

@Suite struct ZarrV3Tests {
    private let small = ZarrArraySpec(
        name: "a", shape: [2, 4], chunks: [1, 2], shards: [2, 4], dataType: .uint16, fillValue: .number(0), codecs: .none,
        dimensionNames: ["y", "x"], attributes: .object([]))

    @Test func shardLayoutIsByteExact() throws {
        let writer = try ZarrChunkWriter(spec: small, format: .v3)
        let unit = try writer.encode(at: [0, 0], bytes: bytes([1, 2, 0, 0, 3, 4, 5, 6] as [UInt16]))
        #expect(unit.key == "a/c/0/0")
        #expect(unit.emptyChunks == [[0, 1]])
        let data: [UInt8] = [1, 0, 2, 0, 3, 0, 4, 0, 5, 0, 6, 0]
        let index = le64(0) + le64(4) + le64(.max) + le64(.max) + le64(4) + le64(4) + le64(8) + le64(4)
        let crc = CRC32C.checksum(index)
        #expect(unit.bytes == data + index + withUnsafeBytes(of: crc.littleEndian) { Array($0) })
        // All fill: nothing stored, every inner chunk reported.
        let empty = try writer.encode(at: [0, 0], bytes: [UInt8](repeating: 0, count: 16))
        #expect(empty.bytes == nil)
        #expect(empty.emptyChunks == [[0, 0], [0, 1], [1, 0], [1, 1]])
    }

    @Test func shardedMetadataHasTheSpecShape() throws {
        var spec = small
        spec.dataType = .float32
        spec.fillValue = .nan
        spec.masksFill = true
        spec.codecs = ZarrCodecChain(compressor: .object([("id", .string("blosc")), ("cname", .string("zstd")), ("clevel", .int(5)),
                                                          ("shuffle", .int(1)), ("blocksize", .int(0))]), checksum: true)
        spec.attributes = .object([("units", .string("K"))])
        let expected = """
            {"shape":[2,4],"data_type":"float32","chunk_grid":{"name":"regular","configuration":{"chunk_shape":[2,4]}},\
            "chunk_key_encoding":{"name":"default","configuration":{"separator":"/"}},"fill_value":"NaN",\
            "codecs":[{"name":"sharding_indexed","configuration":{"chunk_shape":[1,2],"codecs":[\
            {"name":"bytes","configuration":{"endian":"little"}},\
            {"name":"blosc","configuration":{"typesize":4,"cname":"zstd","clevel":5,"shuffle":"shuffle","blocksize":0}},\
            {"name":"crc32c"}],"index_codecs":[{"name":"bytes","configuration":{"endian":"little"}},{"name":"crc32c"}],\
            "index_location":"end"}}],"attributes":{"units":"K","_FillValue":"AAAAAAAA+H8="},"dimension_names":["y","x"],\
            "zarr_format":3,"node_type":"array","storage_transformers":[]}
            """
        #expect(try spec.v3Document().serialized(indent: 0) == expected)
        #expect(try ZarrArraySpec(name: "a", v3Document: spec.v3Document()) == spec)
        // Unsharded: the chunk codecs directly; integers keep a plain _FillValue.
        var plain = small
        plain.shards = nil
        plain.masksFill = true
        plain.fillValue = .number(-3)
        plain.dataType = .int16
        plain.codecs = ZarrCodecChain(compressor: .object([("id", .string("zstd")), ("level", .int(3))]))
        let document = try plain.v3Document()
        #expect(document["codecs"]?.serialized(indent: 0)
            == #"[{"name":"bytes","configuration":{"endian":"little"}},{"name":"zstd","configuration":{"level":3,"checksum":false}}]"#)
        #expect(document["attributes"]?["_FillValue"] == .int(-3))
        #expect(document["fill_value"] == .int(-3))
        #expect(try ZarrArraySpec(name: "a", v3Document: document) == plain)
        #expect(plain.storedKey([1, 2], format: .v3) == "a/c/1/2")
        #expect(plain.storedKey([1, 2], format: .v2) == "a/1.2")
    }

    @Test func chunkKeyEncodingsOtherThanTheDefaultsAreRead() throws {
        var plain = small
        plain.shards = nil
        for (json, key) in [(#"{"name":"default","configuration":{"separator":"."}}"#, "a/c.1.2"),
                            (#"{"name":"v2","configuration":{"separator":"."}}"#, "a/1.2"),
                            (#"{"name":"v2","configuration":{"separator":"/"}}"#, "a/1/2"),
                            (#"{"name":"v2"}"#, "a/1.2")] {
            var document = try plain.v3Document()
            document = document.setting("chunk_key_encoding", try JSONValue.parse(Array(json.utf8)))
            let read = try ZarrArraySpec(name: "a", v3Document: document)
            #expect(read.storedKey([1, 2], format: .v3) == key, "\(json)")
            #expect(try read.v3Document()["chunk_key_encoding"] == ZarrChunkKeyEncoding(v3JSON: document["chunk_key_encoding"]).v3JSON)
        }
        var bad = try plain.v3Document()
        bad = bad.setting("chunk_key_encoding", try JSONValue.parse(Array(#"{"name":"v2","configuration":{"separator":"-"}}"#.utf8)))
        #expect(throws: ZarrError.self) { try ZarrArraySpec(name: "a", v3Document: bad) }
        // Zarr v2's dimension_separator "/".
        let zarray = try JSONValue.parse(Array(#"{"chunks":[1,2],"compressor":null,"dimension_separator":"/","dtype":"<u2","fill_value":0,"filters":null,"order":"C","shape":[2,4],"zarr_format":2}"#.utf8))
        let v2 = try ZarrArraySpec(name: "a", v2Metadata: zarray, attributes: .object([]))
        #expect(v2.storedKey([1, 2], format: .v2) == "a/1/2")
        #expect(try v2.v2Metadata().json["dimension_separator"] == .string("/"))
    }

    @Test func numcodecsWrappersReadAsTheirCodecs() throws {
        let codecs = try JSONValue.parse(Array(#"[{"name":"bytes","configuration":{"endian":"little"}},{"name":"numcodecs.lz4","configuration":{"acceleration":3}}]"#.utf8))
        let chain = try ZarrCodecChain(v3Codecs: codecs.arrayValue ?? [])
        #expect(chain.compressor == .object([("id", .string("lz4")), ("acceleration", .int(3))]))
        #expect(try ZarrCodecChain(compressor: .object([("id", .string("bz2")), ("level", .int(5))])).v3Codecs(elementSize: 4).last
            == .object([("name", .string("numcodecs.bz2")), ("configuration", .object([("level", .int(5))]))]))
    }

    @Test func consolidatedMetadataIsInlineInTheRootGroup() throws {
        let hierarchy = ZarrHierarchy(format: .v3, attributes: .object([("title", .string("t"))]), arrays: [small])
        let docs = try hierarchy.documents()
        #expect(docs.map(\.key) == ["zarr.json", "a/zarr.json"])
        #expect(docs[0].document.serialized(indent: 0) == #"{"attributes":{"title":"t"},"zarr_format":3,"node_type":"group"}"#)
        let (key, root) = try hierarchy.consolidated()
        #expect(key == "zarr.json")
        #expect(root["consolidated_metadata"]?["kind"] == .string("inline"))
        #expect(root["consolidated_metadata"]?["must_understand"] == .bool(false))
        #expect(root["consolidated_metadata"]?["metadata"]?["a"] == docs[1].document)
        #expect(root["node_type"] == .string("group"))
        #expect(root["attributes"] == .object([("title", .string("t"))]))
        // v2 of the same group: no shards allowed.
        #expect(throws: ZarrError.self) { try ZarrHierarchy(format: .v2, attributes: .object([]), arrays: [small]).documents() }
        #expect(throws: ZarrError.self) {
            try ZarrChunkWriter(spec: ZarrArraySpec(name: "z", shape: [4], chunks: [2], dataType: .int8, fillValue: .number(0),
                                                    codecs: ZarrCodecChain(compressor: .object([("id", .string("zlib")), ("level", .int(1))])),
                                                    dimensionNames: ["x"], attributes: .object([])), format: .v3)
        }
    }

    /// A 3-D float array with ragged edges, a fill-only region and NaN holes.
    private func field(_ shape: [Int]) -> [Float] {
        (0..<shape.reduce(1, *)).map { k in
            let x = k % shape[2], y = (k / shape[2]) % shape[1]
            if y >= 3 && x >= 4 { return .nan }   // a corner of fill only
            return k % 7 == 3 ? .nan : Float(k) * 0.5 - 3
        }
    }

    @Test(arguments: [
        ("v2", ZarrFormat.v2, nil as [Int]?, false), ("v3", .v3, nil, false), ("v3 crc32c", .v3, nil, true),
        ("v3 sharded", .v3, [2, 4, 6], false), ("v3 sharded crc32c", .v3, [2, 4, 6], true),
    ])
    func writeThenReadGivesTheValuesBack(_ label: String, _ format: ZarrFormat, _ shards: [Int]?, _ checksum: Bool) async throws {
        let shape = [3, 5, 7], chunks = [2, 2, 3]
        let values = field(shape)
        let spec = ZarrArraySpec(
            name: "v", shape: shape, chunks: chunks, shards: shards, dataType: .float32, fillValue: .nan,
            codecs: ZarrCodecChain(compressor: .object([("id", .string("blosc")), ("cname", .string("lz4")), ("clevel", .int(5)),
                                                        ("shuffle", .int(1)), ("blocksize", .int(0))]), checksum: checksum),
            dimensionNames: ["time", "y", "x"], attributes: .object([]), masksFill: true)
        let storage = MemoryStorage()
        let hierarchy = ZarrHierarchy(format: format, attributes: .object([]), arrays: [spec])
        for (key, document) in try hierarchy.documents() { try await storage.set(StoreKey(key), to: document.bytes) }
        let writer = try ZarrChunkWriter(spec: spec, format: format)
        var empty: [[Int]] = []
        for unit in spec.storedIndices {
            // The unit's values, padded with NaN past the edges.
            let unitShape = writer.unitShape
            var buffer = [Float](repeating: .nan, count: unitShape.reduce(1, *))
            for t in 0..<unitShape[0] {
                for y in 0..<unitShape[1] {
                    for x in 0..<unitShape[2] {
                        let g = [unit[0] * unitShape[0] + t, unit[1] * unitShape[1] + y, unit[2] * unitShape[2] + x]
                        guard zip(g, shape).allSatisfy({ $0 < $1 }) else { continue }
                        buffer[(t * unitShape[1] + y) * unitShape[2] + x] = values[(g[0] * shape[1] + g[1]) * shape[2] + g[2]]
                    }
                }
            }
            let encoded = try writer.encode(at: unit, bytes: bytes(buffer))
            empty += encoded.emptyChunks
            if let data = encoded.bytes { try await storage.set(StoreKey(encoded.key), to: data) }
        }
        // Chunk (t, 2, 1) is row 4, columns 3–5 (column 3 is NaN everywhere, 4–5 are in the fill
        // corner); (t, 2, 2) is row 4, column 6. Inner chunks past the edge of a shard are not listed.
        #expect(Set(empty) == [[0, 2, 1], [1, 2, 1], [0, 2, 2], [1, 2, 2]], "\(label)")
        let reader = try await ZarrArrayReader(storage: storage, name: "v")
        #expect(reader.format == format)
        #expect(reader.spec == spec || format == .v2)
        let back = try await reader.allValues()
        #expect(back.count == values.count)
        #expect(zip(back, values).allSatisfy { ($0.isNaN && $1.isNaN) || $0 == Double($1) }, "\(label)")
        let expectedKey = format == .v2 ? "v/0.0.0" : "v/c/0/0/0"
        #expect(try await storage.get(StoreKey(expectedKey)) != nil)
    }

    @Test func corruptShardIndexAndChunkChecksumNameTheKey() async throws {
        var spec = small
        spec.codecs = ZarrCodecChain(compressor: nil, checksum: true)
        let storage = MemoryStorage()
        for (key, document) in try ZarrHierarchy(format: .v3, attributes: .object([]), arrays: [spec]).documents() {
            try await storage.set(StoreKey(key), to: document.bytes)
        }
        let unit = try ZarrChunkWriter(spec: spec, format: .v3).encode(at: [0, 0], bytes: bytes([1, 2, 0, 0, 3, 4, 5, 6] as [UInt16]))
        let good = try #require(unit.bytes)
        let reader = try await ZarrArrayReader(storage: storage, name: "a")
        try await storage.set("a/c/0/0", to: good)
        #expect(try await reader.chunk([1, 1]) == [5, 0, 6, 0])
        #expect(try await reader.chunk([0, 1]) == nil)
        // A flipped bit in the index: the index checksum fails.
        var badIndex = good
        badIndex[badIndex.count - 10] ^= 0x01
        try await storage.set("a/c/0/0", to: badIndex)
        await #expect(throws: ZarrError.corruptChunk(key: "a/c/0/0", "shard index crc32c mismatch: stored 0x\(String(CRC32C.checksum(Array(good[good.count - 68..<good.count - 4])), radix: 16, uppercase: true)), computed 0x\(String(CRC32C.checksum(Array(badIndex[badIndex.count - 68..<badIndex.count - 4])), radix: 16, uppercase: true))")) {
            try await reader.chunk([0, 0])
        }
        // A flipped bit in the first inner chunk's data: its crc32c codec fails, naming the shard.
        var badData = good
        badData[0] ^= 0x01
        try await storage.set("a/c/0/0", to: badData)
        do {
            _ = try await reader.unit([0, 0])
            Issue.record("a corrupt inner chunk decoded")
        } catch let ZarrError.corruptChunk(key, message) {
            #expect(key == "a/c/0/0")
            #expect(message.contains("crc32c mismatch"))
        }
        // A truncated shard.
        try await storage.set("a/c/0/0", to: Array(good.prefix(20)))
        await #expect(throws: ZarrError.self) { try await reader.unit([0, 0]) }
    }

    @Test func hostileSizesInZarrJSONAreRefusedNotTrapped() throws {
        var spec = small
        spec.dataType = .int16
        let document = try spec.v3Document()
        func with(_ key: String, _ value: JSONValue) -> JSONValue { document.setting(key, value) }
        let huge = JSONValue.array([.int(1 << 62), .int(1 << 62)])
        for bad in [
            with("shape", .array([.int(-2), .int(4)])),
            with("chunk_grid", .object([("name", .string("regular")), ("configuration", .object([("chunk_shape", huge)]))])),
            with("codecs", .array([.object([("name", .string("sharding_indexed")), ("configuration", .object([
                ("chunk_shape", .array([.int(0), .int(2)])), ("codecs", .array([])), ("index_codecs", .array(ZarrShardIndex.codecs)),
            ]))])])),
            with("codecs", .array([.object([("name", .string("transpose"))])])),
            with("data_type", .string("complex64")),
        ] {
            #expect(throws: ZarrError.self, "\(bad.serialized(indent: 0))") { try ZarrArraySpec(name: "a", v3Document: bad) }
        }
        // A shard shorter than its index, and an index entry past the data, name the key.
        let decoder = try ZarrChunkDecoder(spec: spec, format: .v3)
        #expect(throws: ZarrError.corruptChunk(key: "k", "12 bytes cannot hold a shard index of 68 bytes")) {
            try decoder.decode([UInt8](repeating: 0, count: 12), key: "k")
        }
        let pastTheEnd = ZarrShardIndex(entries: [0..<100, nil, nil, nil]).encoded
        #expect(throws: ZarrError.corruptChunk(key: "k", "shard index entry 0 (offset 0, nbytes 100) lies outside the 0 data bytes")) {
            try decoder.decode(pastTheEnd, key: "k")
        }
    }

    /// A shard written by zarr-python 3 (the fuzz seed, `Fuzz/make_seeds.py`): 8 × 6 float32
    /// `arange * 0.5`, chunks 2 × 3, shards 4 × 6, blosc + crc32c; rows 0–1, columns 3–5 are NaN.
    @Test func decodesAShardWrittenByZarrPython() throws {
        let seed = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("Fuzz/corpus/zarr/v3_sharded_blosc_crc32c.bin")
        let bytes = [UInt8](try Data(contentsOf: seed))
        let split = try #require(bytes.firstIndex(of: 0))
        let spec = try ZarrArraySpec(name: "a", v3Document: try JSONValue.parse(Array(bytes[..<split])))
        #expect(spec.shards == [4, 6] && spec.chunks == [2, 3] && spec.codecs.checksum)
        #expect(spec.codecs.compressor?["cname"] == .string("zstd"))
        let chunks = try ZarrChunkDecoder(spec: spec, format: .v3).decode(Array(bytes[(split + 1)...]), key: "a/c/0/0")
        #expect(chunks.count == 4)
        #expect(chunks[1] == nil, "the all-NaN inner chunk is missing from the index")
        func floats(_ b: [UInt8]?) -> [Float] { (b ?? []).withUnsafeBytes { Array($0.bindMemory(to: Float.self)) } }
        #expect(floats(chunks[0]) == [0, 0.5, 1, 3, 3.5, 4])
        #expect(floats(chunks[2]) == [6, 6.5, 7, 9, 9.5, 10])
        #expect(floats(chunks[3]) == [7.5, 8, 8.5, 10.5, 11, 11.5])
    }
}
