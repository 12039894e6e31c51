import CubeFixtures
import CubeGen
import CubeSamples
import Foundation
import Testing

/// Zarr v3 output: the same recipe built as zarr2, zarr3 and sharded zarr3 (with crc32c) gives
/// the same values, v3 documents of the spec's shape, and cubes `CubeVerifier` accepts and whose
/// damage it finds.
@Suite(.serialized) struct Zarr3EndToEndTests {
    /// 1° global daily fields, days 7305…7309, over a 20 × 12 grid that the chunks and shards do
    /// not divide, with a land/sea variable whose sea chunks are all fill.
    private func build(_ dir: TemporaryDirectory, _ name: String, output: String) async throws -> CubePlan {
        if !FileManager.default.fileExists(atPath: dir.path("in.nc")) {
            try LinearFields.dataset(resolution: 1, days: [7305, 7306, 7307, 7308, 7309]).write(to: dir.path("in.nc"))
        }
        let text = """
            version: 1
            cube: {id: zarr3-test, title: Zarr v3 test, license: CC0-1.0}
            grid:
              crs: EPSG:4326
              bbox: [-5, 18, 15, 30]
              resolution: 1
            sources:
              - name: src
                store: netcdf
                paths: [in.nc]
                variables:
                  tas: {}
                  wet: {}
                  pk: {resampling: nearest, dtype: int16, scale_factor: 0.0001, fill_value: -32768}
            output:
              path: \(name).zarr
              chunks: {time: 2, y: 4, x: 3}
            \(output)
            """
        let pipeline = Pipeline()
        let plan = try await pipeline.plan(try pipeline.load(recipeAt: try dir.write("\(name).yaml", text)))
        _ = try await pipeline.run(plan, options: RunOptions(workers: 2))
        return plan
    }

    private func same(_ a: [Double], _ b: [Double]) -> Bool {
        a.count == b.count && zip(a, b).allSatisfy { ($0.isNaN && $1.isNaN) || $0 == $1 }
    }

    @Test func v3WithAndWithoutShardsHoldsTheValuesOfTheV2Cube() async throws {
        let dir = try TemporaryDirectory("zarr3")
        defer { dir.remove() }
        _ = try await build(dir, "v2", output: "")
        _ = try await build(dir, "v3", output: "  format: zarr3\n  compressor: {id: zstd, level: 5}")
        let plan = try await build(dir, "sharded", output: """
              format: zarr3
              shards: {time: 4, lat: 8, lon: 9}
              checksum: crc32c
            """)
        #expect(plan.taskCount == 2 * 2 * 3)
        #expect(plan.summary(workers: 1).contains("Zarr v3"))
        let v2 = CubeReader(path: dir.path("v2.zarr")), v3 = CubeReader(path: dir.path("v3.zarr"))
        let sharded = CubeReader(path: dir.path("sharded.zarr"))
        for name in ["tas", "wet", "pk", "time", "lat", "lon", "lat_bnds", "lon_bnds"] {
            let reference = try await v2.read(name)
            #expect(reference.values.contains { !$0.isNaN }, "\(name) has values")
            for (label, cube) in [("v3", v3), ("sharded", sharded)] {
                let other = try await cube.read(name)
                #expect(other.shape == reference.shape, "\(label) \(name)")
                #expect(same(other.values, reference.values), "\(label) \(name)")
            }
        }
        // wet is all sea (fill) south of 25°N in this field: whole chunks and inner chunks are left out.
        let wet = try await v2.read("wet").values
        #expect(wet.contains { $0.isNaN } && wet.contains { !$0.isNaN })

        // Metadata of the spec's shape.
        let tas = try await sharded.document("tas/zarr.json")
        #expect(tas["zarr_format"] == .int(3) && tas["node_type"] == .string("array"))
        #expect(tas["shape"] == .array([.int(5), .int(12), .int(20)]))
        #expect(tas["chunk_grid"]?["configuration"]?["chunk_shape"] == .array([.int(4), .int(8), .int(9)]))
        let sharding = try #require(tas["codecs"]?.arrayValue?.first)
        #expect(sharding["name"] == .string("sharding_indexed"))
        #expect(sharding["configuration"]?["chunk_shape"] == .array([.int(2), .int(4), .int(3)]))
        #expect(sharding["configuration"]?["codecs"]?.arrayValue?.compactMap { $0["name"]?.stringValue } == ["bytes", "blosc", "crc32c"])
        #expect(tas["dimension_names"] == .array([.string("time"), .string("lat"), .string("lon")]))
        #expect(tas["fill_value"] == .string("NaN"))
        #expect(tas["attributes"]?["_FillValue"] == .string("AAAAAAAA+H8="))
        #expect(tas["attributes"]?["_ARRAY_DIMENSIONS"] == nil)
        let pk = try await sharded.document("pk/zarr.json")
        #expect(pk["fill_value"] == .int(-32768) && pk["attributes"]?["_FillValue"] == .int(-32768))
        let plain = try await v3.document("tas/zarr.json")
        #expect(plain["codecs"]?.arrayValue?.compactMap { $0["name"]?.stringValue } == ["bytes", "zstd"])
        #expect(plain["chunk_grid"]?["configuration"]?["chunk_shape"] == .array([.int(2), .int(4), .int(3)]))
        let lat = try await sharded.document("lat/zarr.json")
        #expect(lat["attributes"]?["_FillValue"] == nil, "coordinates are not masked")
        let root = try await sharded.document("zarr.json")
        #expect(root["node_type"] == .string("group"))
        #expect(root["attributes"]?["Conventions"] == .string("CF-1.10, ACDD-1.3"))
        let consolidated = try #require(root["consolidated_metadata"])
        #expect(consolidated["kind"] == .string("inline"))
        #expect(consolidated["metadata"]?["tas"] == tas)
        #expect(consolidated["metadata"]?.objectMembers?.map(\.0).sorted()
            == ["crs", "lat", "lat_bnds", "lon", "lon_bnds", "pk", "tas", "time", "wet"])
        // Keys: shards and the v3 chunk key encoding; the scalar crs as "crs/c".
        let files = try await sharded.chunkFiles()
        #expect(files["tas/c/0/0/0"] != nil && files["tas/c/1/1/2"] != nil && files["crs/c"] != nil)
        #expect(files.keys.filter { $0.hasPrefix("tas/c/") }.count == 12)
        #expect(files["tas/0.0.0"] == nil)
        // The STAC Item names the format.
        let item = try JSONValue.parse(Array(try Data(contentsOf: URL(fileURLWithPath: dir.path("sharded.item.json")))))
        #expect(item["assets"]?["zarr"]?["description"]?.stringValue?.hasPrefix("Zarr v3 store") == true)

        // Both v3 cubes verify as the v2 cube does (the source's pk has no units), decoding every
        // chunk and checksum.
        let reference = try await CubeVerifier(cubePath: dir.path("v2.zarr"), decodeChunks: true).verify().problems.map(\.description)
        #expect(reference == ["warning [cf]: data variable 'pk' has no 'units' attribute"])
        for name in ["v3", "sharded"] {
            let report = try await CubeVerifier(cubePath: dir.path("\(name).zarr"), decodeChunks: true).verify()
            #expect(report.problems.map(\.description) == reference, "\(name): \(report.problems)")
        }
        // Empty inner chunks are recorded in the lineage with their chunk (not shard) indices.
        let lineage = try Lineage(json: try JSONValue.parse(Array(try Data(contentsOf: URL(fileURLWithPath: dir.path("sharded.zarr/lineage.json"))))))
        let lineageV2 = try Lineage(json: try JSONValue.parse(Array(try Data(contentsOf: URL(fileURLWithPath: dir.path("v2.zarr/lineage.json"))))))
        #expect(lineage.variable("wet")?.emptyChunks == lineageV2.variable("wet")?.emptyChunks)
        #expect(lineage.variable("wet")?.emptyChunks.isEmpty == false)
    }

    @Test func verifierFindsDamageInAShardedCube() async throws {
        let dir = try TemporaryDirectory("zarr3")
        defer { dir.remove() }
        _ = try await build(dir, "cube", output: "  format: zarr3\n  shards: {time: 4, lat: 8, lon: 9}\n  checksum: crc32c")
        let cube = dir.path("cube.zarr")
        let shard = URL(fileURLWithPath: cube + "/tas/c/0/0/0")
        let good = try Data(contentsOf: shard)
        // A flipped bit in the shard index: the index checksum fails, even without --decode.
        var bytes = [UInt8](good)
        bytes[bytes.count - 12] ^= 0x10
        try Data(bytes).write(to: shard)
        var report = try await CubeVerifier(cubePath: cube).verify()
        #expect(report.problems.contains { $0.description.contains("tas/c/0/0/0") && $0.description.contains("shard index crc32c mismatch") },
                "\(report.problems)")
        // A flipped bit in a chunk: its crc32c codec fails when decoding, naming the shard.
        bytes = [UInt8](good)
        bytes[3] ^= 0x01
        try Data(bytes).write(to: shard)
        report = try await CubeVerifier(cubePath: cube, decodeChunks: true).verify()
        #expect(report.problems.contains { $0.description.contains("corrupt chunk 'tas/c/0/0/0'") && $0.description.contains("crc32c mismatch") },
                "\(report.problems)")
        // A lost shard: its inner chunks are missing and not recorded as empty.
        try FileManager.default.removeItem(at: shard)
        report = try await CubeVerifier(cubePath: cube).verify()
        #expect(!report.isValid)
        #expect(report.problems.contains { $0.description.contains("array 'tas': 12 of 63 chunks missing") }, "\(report.problems)")
        // Consolidated metadata that disagrees with a node's zarr.json.
        try Data(good).write(to: shard)
        let key = URL(fileURLWithPath: cube + "/tas/zarr.json")
        let text = try String(contentsOf: key, encoding: .utf8).replacingOccurrences(of: "\"units\"", with: "\"unit\"")
        try text.write(to: key, atomically: true, encoding: .utf8)
        report = try await CubeVerifier(cubePath: cube).verify()
        #expect(report.problems.contains { $0.description.contains("copy of 'tas/zarr.json' differs") }, "\(report.problems)")
        // A _FillValue xarray cannot read (a plain number for a float in v3), and one that is missing.
        try text.replacingOccurrences(of: "\"AAAAAAAA+H8=\"", with: "-1").write(to: key, atomically: true, encoding: .utf8)
        report = try await CubeVerifier(cubePath: cube).verify()
        #expect(report.problems.contains { $0.description.contains("data variable 'tas': _FillValue -1 is not the base64 of a little-endian float64") },
                "\(report.problems)")
        try text.replacingOccurrences(of: ",\n        \"_FillValue\": \"AAAAAAAA+H8=\"", with: "").write(to: key, atomically: true, encoding: .utf8)
        report = try await CubeVerifier(cubePath: cube).verify()
        #expect(report.problems.contains { $0.description.contains("data variable 'tas' has no _FillValue attribute") }, "\(report.problems)")
    }
}
