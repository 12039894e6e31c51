import CubeCore
import CubeRecipe
import CubeCrypto
import Foundation
import Testing

private let designExample = """
version: 1                          # recipe format version
cube:
  id: esdc-demo-laea
  title: Demo cube over Europe
  summary: Three variables reprojected to ETRS89-LAEA at 5 km, 8-day means.
  license: CC-BY-4.0
  version: 1.0.0
  keywords: [temperature, precipitation]
grid:
  crs: EPSG:3035
  bbox: [2500000, 1400000, 7500000, 5500000]
  resolution: 5000
  snap: error
  y_axis: descending
time:
  start: 2000-01-01
  end: 2000-03-31
  period: 8D
  period_anchor: year
  label: center
sources:
  - name: synthetic
    store: netcdf
    paths: [data/demo_*.nc]
    variables:
      t2m:
        name: air_temperature_2m
        resampling: bilinear
        aggregation: mean
      precip:
        resampling: average
        aggregation: sum
      ndvi:
        resampling: bilinear
        dtype: int16
        scale_factor: 0.0001
        add_offset: 0
        fill_value: -32768
output:
  path: out/esdc-demo-laea.zarr
  format: zarr2
  chunks: {time: 46, y: 256, x: 256}
  compressor: {id: blosc, cname: lz4, clevel: 5, shuffle: shuffle}
  overwrite: false
  attrs: {project: Demo}
catalog:
  path: out/esdc-demo-laea.stac.json
"""

private func parse(_ text: String) -> (Recipe?, [Diagnostic]) {
    RecipeParser.parse(text, fileURL: URL(fileURLWithPath: "/recipes/r.yaml"), displayName: "r.yaml")
}

private func errors(_ text: String) -> [Diagnostic] { parse(text).1.filter { $0.severity == .error } }

@Suite struct RecipeParserTests {
    @Test func theDesignExampleParses() throws {
        let (recipe, diagnostics) = parse(designExample)
        let r = try #require(recipe, "\(diagnostics)")
        #expect(r.cube.id == "esdc-demo-laea")
        #expect(r.cube.keywords == ["temperature", "precipitation"])
        #expect(r.grid.bbox == [2_500_000, 1_400_000, 7_500_000, 5_500_000])
        #expect(r.grid.resolution == [5000, 5000])
        #expect(r.time.start == CalendarDate(year: 2000, month: 1, day: 1))
        #expect(r.time.period == "8D")
        #expect(r.sources[0].paths == ["/recipes/data/demo_*.nc"])
        #expect(r.sources[0].variables.map(\.name) == ["air_temperature_2m", "precip", "ndvi"])
        let ndvi = r.sources[0].variables[2]
        #expect(ndvi.dataType == .int16 && ndvi.scaleFactor == 0.0001 && ndvi.fillValue == -32768)
        #expect(r.output.path == "/recipes/out/esdc-demo-laea.zarr")
        #expect(r.output.chunks == ["time": 46, "y": 256, "x": 256])
        #expect(r.output.compressor.cname == "lz4" && r.output.compressor.shuffle == 1)
        #expect(r.output.attributes == [Attribute("project", .text("Demo"))])
        #expect(r.catalog.path == "/recipes/out/esdc-demo-laea.stac.json")
        #expect(r.location(of: "grid.bbox") == RecipeLocation(file: "r.yaml", line: 11, column: 9))
        #expect(r.sha256.count == 64)
    }

    @Test func unknownKeysAreErrorsWithASuggestion() {
        let e = errors(designExample.replacingOccurrences(of: "  resolution: 5000", with: "  resolutoin: 5000"))
        let first = e.first { $0.key == "grid.resolutoin" }
        #expect(first?.message.contains("did you mean 'resolution'?") == true)
        #expect(first?.location?.line == 12)
        #expect(first?.location?.column == 3)
        #expect(first?.description.hasPrefix("r.yaml:12:3: error: grid.resolutoin: unknown key") == true)
    }

    @Test func wrongTypesAndValuesNameTheKeyAndWhatWasExpected() {
        let cases: [(String, String, String, String)] = [
            ("  bbox: [2500000, 1400000, 7500000, 5500000]", "  bbox: [2500000, 1400000, 7500000]", "grid.bbox", "expected 4 numbers"),
            ("  bbox: [2500000, 1400000, 7500000, 5500000]", "  bbox: [7500000, 1400000, 7500000, 5500000]", "grid.bbox", "no width"),
            ("  bbox: [2500000, 1400000, 7500000, 5500000]", "  bbox: [2500000, 5500000, 7500000, 1400000]", "grid.bbox", "less than ymax"),
            ("  resolution: 5000", "  resolution: five", "grid.resolution", "expected a number"),
            ("  snap: error", "  snap: round", "grid.snap", "not one of error, expand, shrink"),
            ("        resampling: average", "        resampling: averge", "sources[0].variables.precip.resampling", "did you mean 'average'"),
            ("        dtype: int16", "        dtype: int12", "sources[0].variables.ndvi.dtype", "not one of"),
            ("        resampling: average", "        resampling: {down: averge}", "sources[0].variables.precip.resampling.down", "did you mean 'average'"),
            ("        resampling: average", "        resampling: {across: average}", "sources[0].variables.precip.resampling.across", "unknown key"),
            ("  start: 2000-01-01", "  start: January", "time.start", "not a date"),
            ("  period: 8D", "  period: 8 days", "time.period", "not a period"),
            ("version: 1 ", "version: 2 ", "version", "not supported"),
            ("  chunks: {time: 46, y: 256, x: 256}", "  chunks: {time: 0, y: 256, x: 256}", "output.chunks.time", "at least 1"),
            ("  compressor: {id: blosc, cname: lz4, clevel: 5, shuffle: shuffle}", "  compressor: {id: zstd, cname: lz4}",
             "output.compressor.cname", "applies to blosc only"),
            ("  compressor: {id: blosc, cname: lz4, clevel: 5, shuffle: shuffle}", "  compressor: {id: lzma}", "output.compressor.id", "not one of"),
            ("  overwrite: false", "  overwrite: maybe", "output.overwrite", "expected true or false"),
            ("        fill_value: -32768", "", "sources[0].variables.ndvi.fill_value", "needs a fill_value"),
            ("  resolution: 5000", "  resolution: 5000\n  size: [10, 10]", "grid.size", "not both"),
        ]
        for (old, new, key, message) in cases {
            let text = designExample.replacingOccurrences(of: old, with: new)
            #expect(text != designExample, "test case \(key) did not change the recipe")
            let e = errors(text)
            #expect(e.contains { $0.key == key && $0.message.contains(message) && $0.location != nil }, "\(key): \(e)")
        }
    }

    @Test func zarr3OutputTakesShardsAndAChecksum() throws {
        let zarr3 = "  format: zarr3\n  chunks: {time: 46, y: 256, x: 256}\n  shards: {time: 92, y: 1024}\n  checksum: crc32c"
        let text = designExample.replacingOccurrences(of: "  format: zarr2\n  chunks: {time: 46, y: 256, x: 256}", with: zarr3)
        #expect(text != designExample)
        let (recipe, diagnostics) = parse(text)
        let r = try #require(recipe, "\(diagnostics)")
        #expect(r.output.format == "zarr3" && r.output.shards == ["time": 92, "y": 1024] && r.output.checksum == "crc32c")
        #expect(try #require(parse(designExample).0).output.shards.isEmpty)
        #expect(try #require(parse(designExample).0).output.checksum == "none")
        let cases: [(String, String, String)] = [
            ("  shards: {time: 92, y: 1024}", "  shards: {time: 92, y: 1000}", "output.shards.y: 1000 is not a multiple of the chunk size 256 (output.chunks.y)"),
            ("  shards: {time: 92, y: 1024}", "  shards: {time: 0}", "output.shards.time: shard sizes must be at least 1"),
            ("  shards: {time: 92, y: 1024}", "  shards: {band: 2}", "output.shards.band: unknown key 'band'"),
            ("  checksum: crc32c", "  checksum: md5", "output.checksum: 'md5' is not one of none, crc32c"),
            ("  format: zarr3", "  format: zarr2", "output.shards: 'shards' needs output.format: zarr3 (Zarr v2 has no sharding)"),
            ("  format: zarr3", "  format: zarr2", "output.checksum: 'checksum' needs output.format: zarr3 (Zarr v2 has no crc32c codec)"),
        ]
        for (old, new, message) in cases {
            let broken = text.replacingOccurrences(of: old, with: new)
            #expect(broken != text, "\(message)")
            let e = errors(broken)
            #expect(e.contains { "\($0.key): \($0.message)".hasPrefix(message) && $0.location != nil }, "\(message): \(e)")
        }
    }

    @Test func resamplingTakesOneMethodOrOnePerDirection() throws {
        let text = designExample.replacingOccurrences(of: "        resampling: average", with: "        resampling: {up: cubic, down: max}")
        let parsed = parse(text)
        let precip = try #require(parsed.0?.sources[0].variables.first { $0.sourceName == "precip" })
        #expect(precip.resampling == nil && precip.resamplingUp == "cubic" && precip.resamplingDown == "max")
        let t2m = try #require(parsed.0?.sources[0].variables.first { $0.sourceName == "t2m" })
        #expect(t2m.resampling == "bilinear" && t2m.resamplingUp == nil)
    }

    @Test func missingRequiredKeysAreReported() {
        let e = errors("version: 1\ncube: {title: x}\ngrid: {crs: EPSG:4326, bbox: [0, 0, 1, 1]}\nsources: []\noutput: {}\n")
        let keys = Set(e.map(\.key))
        #expect(keys.isSuperset(of: ["cube.id", "grid.resolution", "sources", "output.path"]))
    }

    @Test func duplicateNamesAreErrors() {
        let text = designExample.replacingOccurrences(of: "      precip:\n        resampling: average", with: "      precip:\n        name: ndvi\n        resampling: average")
        #expect(errors(text).contains { $0.message.contains("already produced") })
        let twoSources = designExample.replacingOccurrences(of: "output:", with: """
          - name: synthetic
            store: netcdf
            paths: [b.nc]
            variables: {x: {}}
        output:
        """)
        #expect(errors(twoSources).contains { $0.key == "sources[1].name" && $0.message.contains("already used") })
    }

    @Test func invalidYAMLIsOneClearError() {
        let e = errors("version: 1\ncube: [unclosed\n")
        #expect(e.count == 1)
        #expect(e[0].message.hasPrefix("not valid YAML"))
    }

    @Test func sha256MatchesKnownVectors() {
        #expect(SHA256.hex([]) == "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855")
        #expect(SHA256.hex(Array("abc".utf8)) == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad")
        #expect(SHA256.hex(Array(String(repeating: "a", count: 1000).utf8))
            == "41edece42d63e8d9bf515a9ba6932e1c20cbc9f5a5d134645adb5db1b9737ea3")
    }
}

/// SHA-256 fed in pieces and from files equals the one-shot digest.
struct SHA256StreamingTests {
    @Test func piecesOfAnySizeGiveTheSameDigest() {
        let message = (0..<1000).map { UInt8(truncatingIfNeeded: $0 &* 7 &+ 3) }
        for piece in [1, 3, 63, 64, 65, 200] {
            var hasher = SHA256()
            for start in stride(from: 0, to: message.count, by: piece) { hasher.update(Array(message[start..<min(message.count, start + piece)])) }
            #expect(hasher.finalize() == SHA256.digest(message), "pieces of \(piece)")
        }
    }

    @Test func copiesAreIndependent() {
        var a = SHA256()
        a.update(Array("ab".utf8))
        var b = a
        b.update(Array("c".utf8))
        #expect(b.finalize() == SHA256.digest(Array("abc".utf8)))
        #expect(a.finalize() == SHA256.digest(Array("ab".utf8)))
        a.update(Array("c".utf8))
        #expect(a.finalize() == b.finalize())
    }

    @Test func filesHashLikeTheirBytes() throws {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("cubegen-sha-\(UUID().uuidString)").path
        defer { try? FileManager.default.removeItem(atPath: path) }
        try Data("abc".utf8).write(to: URL(fileURLWithPath: path))
        #expect(try SHA256.hex(fileAt: path) == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad")
        #expect(throws: (any Error).self) { try SHA256.hex(fileAt: path + ".missing") }
        // Past the 1 MiB read buffer, with a partial last piece.
        let big = (0..<(5 << 19) + 77).map { UInt8(truncatingIfNeeded: $0 &* 2_654_435_761 >> 7) }
        try Data(big).write(to: URL(fileURLWithPath: path))
        #expect(try SHA256.hex(fileAt: path) == SHA256.hex(big))
    }
}
