import CubeCore
import CubeFixtures
import CubeStorage
import CubeStoreZarr
import Foundation
import Testing
import Zarr

/// The Zarr input store on groups written by the library's own writer: every format, sharding,
/// consolidation and codec; values decoded as CF says; only needed chunks fetched.
@Suite struct ZarrStoreTests {
    static let zstd = ZarrCodecChain(compressor: .object([("id", .string("zstd")), ("level", .int(3))]))
    static let gzip = ZarrCodecChain(compressor: .object([("id", .string("gzip")), ("level", .int(5))]))
    static let blosc = ZarrCodecChain(compressor: .object([("id", .string("blosc")), ("cname", .string("lz4")), ("clevel", .int(5)),
                                                           ("shuffle", .int(1)), ("blocksize", .int(0))]), checksum: true)

    static let bloscOnly = ZarrCodecChain(compressor: .object([("id", .string("blosc")), ("cname", .string("lz4")), ("clevel", .int(5)),
                                                               ("shuffle", .int(1)), ("blocksize", .int(0))]))
    static let variants: [(String, ZarrInputFixture)] = [
        ("v2 zstd consolidated", ZarrInputFixture(format: .v2, codecs: zstd)),
        ("v2 gzip listed", ZarrInputFixture(format: .v2, codecs: gzip, consolidated: false)),
        ("v2 uncompressed", ZarrInputFixture(format: .v2, codecs: .none)),
        ("v3 zstd consolidated", ZarrInputFixture(format: .v3, codecs: zstd)),
        ("v3 gzip listed", ZarrInputFixture(format: .v3, codecs: gzip, consolidated: false)),
        ("v3 sharded blosc crc32c", ZarrInputFixture(format: .v3, shards: [1, 8, 10], codecs: blosc)),
        ("v3 sharded, time chunks", ZarrInputFixture(format: .v3, chunks: [2, 3, 4], shards: [2, 6, 8], codecs: zstd)),
    ]

    private func written(_ fixture: ZarrInputFixture) async throws -> MemoryStorage {
        let storage = MemoryStorage()
        try await fixture.write(to: storage)
        return storage
    }

    @Test(arguments: variants.indices) func describesAndReadsEveryLayout(_ variant: Int) async throws {
        let (label, fixture) = ZarrStoreTests.variants[variant]
        let storage = try await written(fixture)
        let reference = DatasetReference(location: "mem://\(label)", storage: storage)
        let descriptor = try await ZarrStore().describe(reference)
        #expect(descriptor.grid.width == 12 && descriptor.grid.height == 10, "\(label)")
        #expect(descriptor.grid.isGeographic && descriptor.grid.crs == .wgs84, "\(label)")
        #expect(descriptor.grid.x.values.first == 0.5 && descriptor.grid.y.values.first == 39.5, "\(label)")
        // Days 7305…7307 since 2000-01-01 are 1…3 January 2020.
        #expect(descriptor.dates.map { [$0.year, $0.month, $0.day] } == [[2020, 1, 1], [2020, 1, 2], [2020, 1, 3]], "\(label)")
        #expect(Set(descriptor.variables.map(\.name)) == ["tas", "pk"], "\(label)")
        let pk = try #require(descriptor.variable("pk"))
        #expect(pk.dataType == .int16 && pk.packing.scaleFactor == 0.01 && pk.packing.addOffset == 250, "\(label)")
        #expect(pk.packing.missingValues == [-32768], "\(label)")
        #expect(pk.layout?.chunks == fixture.chunks && pk.layout?.shards == (fixture.format == .v3 ? fixture.shards : nil), "\(label)")
        #expect(descriptor.format?.contains(fixture.format == .v2 ? "Zarr v2" : "Zarr v3") == true, "\(label)")
        #expect(descriptor.format?.contains(fixture.consolidated ? ", consolidated" : "not consolidated") == true, "\(label)")

        let reader = try await ZarrStore().open(reference)
        let window = PixelWindow(rows: 1..<9, columns: 2..<11)
        for t in 0..<3 {
            let tas = try await reader.read("tas", timeIndex: t, window: window)
            let packed = try await reader.read("pk", timeIndex: t, window: window)
            for (k, (j, i)) in window.rows.flatMap({ j in window.columns.map { (j, $0) } }).enumerated() {
                #expect(abs(Double(tas[k]) - fixture.tas(t, j, i)) < 1e-4, "\(label) tas t\(t) (\(j), \(i))")
                if let stored = fixture.pkStored(t, j, i) {
                    #expect(abs(Double(packed[k]) - (Double(stored) * 0.01 + 250)) < 1e-3, "\(label) pk t\(t) (\(j), \(i))")
                } else {
                    #expect(packed[k].isNaN, "\(label) pk fill at (\(j), \(i))")
                }
            }
        }
    }

    /// A server's store decodes one step of a many-step chunk from its stored bytes (Blosc can),
    /// or whole chunks where it cannot (zstd, shards): the values are the same either way.
    static let stepVariants: [(String, ZarrInputFixture)] = [
        ("v2 blosc, time chunks", ZarrInputFixture(format: .v2, chunks: [2, 4, 5], codecs: bloscOnly)),
        ("v3 blosc, time chunks", ZarrInputFixture(format: .v3, chunks: [3, 3, 4], codecs: bloscOnly)),
        ("v2 zstd, time chunks", ZarrInputFixture(format: .v2, chunks: [2, 4, 5], codecs: zstd)),
        ("v3 sharded, time chunks", ZarrInputFixture(format: .v3, chunks: [2, 3, 4], shards: [2, 6, 8], codecs: zstd)),
    ]

    @Test(arguments: stepVariants.indices)
    func decodingOneStepOfAChunkReadsWhatWholeChunksRead(_ variant: Int) async throws {
        let (label, fixture) = ZarrStoreTests.stepVariants[variant]
        let storage = try await written(fixture)
        let whole = try await ZarrStore().open(DatasetReference(location: "mem://whole", storage: storage))
        let steps = try await ZarrStore(decodesSteps: true).open(DatasetReference(location: "mem://steps", storage: storage))
        for window in [PixelWindow(rows: 0..<10, columns: 0..<12), PixelWindow(rows: 3..<7, columns: 5..<6)] {
            for t in 0..<3 {
                for variable in ["tas", "pk"] {
                    let expected = try await whole.read(variable, timeIndex: t, window: window)
                    let got = try await steps.read(variable, timeIndex: t, window: window)
                    #expect(got.elementsEqual(expected) { $0 == $1 || ($0.isNaN && $1.isNaN) }, "\(label) \(variable) t\(t) \(window)")
                }
            }
        }
        let array = try await ZarrArrayReader(storage: storage, name: "tas")
        #expect(array.decodesRanges == label.contains("blosc"), "\(label)")
    }

    @Test func aNonStandardCalendarDecodesItsDates() async throws {
        // Days 58 and 59 since 2000-01-01: 28 February and 1 March in a 365-day calendar (no 29 February).
        let fixture = ZarrInputFixture(format: .v3, days: [58, 59], calendar: "noleap", chunks: [1, 5, 6])
        let descriptor = try await ZarrStore().describe(DatasetReference(location: "noleap", storage: try await written(fixture)))
        #expect(descriptor.timeUnits?.calendar.cfName == "noleap")
        #expect(descriptor.dates.map { [$0.month, $0.day] } == [[2, 28], [3, 1]])
    }

    @Test func aSmallWindowFetchesOnlyItsInnerChunkByRange() async throws {
        let fixture = ZarrInputFixture(format: .v3, shards: [1, 8, 10], codecs: ZarrStoreTests.blosc)
        let counting = CountingStorage(try await written(fixture))
        let reader = try await ZarrStore().open(DatasetReference(location: "counted", storage: counting))
        counting.reset()
        let values = try await reader.read("tas", timeIndex: 2, window: PixelWindow(rows: 1..<3, columns: 1..<4))
        #expect(abs(Double(values[0]) - fixture.tas(2, 1, 1)) < 1e-4)
        let requests = counting.requests
        // One shard: its size, its index (a bounded range at the end), then the one inner chunk's bytes.
        #expect(requests.allSatisfy { $0.key == "tas/c/2/0/0" }, "\(requests)")
        #expect(requests.map(\.kind) == ["head", "range", "range"], "\(requests)")
        #expect(!requests.contains { $0.kind == "get" }, "no whole-shard read")
        // The same chunk again, and a neighbouring chunk of the same shard: no second index read.
        counting.reset()
        _ = try await reader.read("tas", timeIndex: 2, window: PixelWindow(rows: 1..<3, columns: 1..<4))
        #expect(counting.requests.isEmpty)
        _ = try await reader.read("tas", timeIndex: 2, window: PixelWindow(rows: 0..<2, columns: 6..<8))
        #expect(counting.requests.map(\.kind) == ["range"])
    }

    @Test func anUnshardedWindowFetchesExactlyTheChunksItTouches() async throws {
        let fixture = ZarrInputFixture(format: .v2, chunks: [1, 4, 5])
        let counting = CountingStorage(try await written(fixture))
        let reader = try await ZarrStore().open(DatasetReference(location: "counted", storage: counting))
        counting.reset()
        // Rows 3..<5 cross the chunk rows 0 and 1; columns 0..<5 lie in chunk column 0.
        _ = try await reader.read("pk", timeIndex: 1, window: PixelWindow(rows: 3..<5, columns: 0..<5))
        #expect(Set(counting.requests.map(\.key)) == ["pk/1.0.0", "pk/1.1.0"])
        #expect(counting.requests.allSatisfy { $0.kind == "get" } && counting.requests.count == 2)
    }

    @Test func aDamagedChunkIsAnErrorNamingItsKey() async throws {
        let storage = try await written(ZarrInputFixture(format: .v2))
        try await storage.set("tas/0.0.0", to: [1, 2, 3, 4, 5])
        let reader = try await ZarrStore().open(DatasetReference(location: "damaged.zarr", storage: storage))
        let error = try await #require(throws: CubeError.self) {
            _ = try await reader.read("tas", timeIndex: 0, window: PixelWindow(rows: 0..<2, columns: 0..<2))
        }
        #expect(error.code == .invalidInput)
        #expect(error.message.contains("damaged.zarr") && error.message.contains("'tas/0.0.0'") && !error.message.contains("\n"))
    }

    @Test func aDamagedShardIndexIsAnError() async throws {
        let storage = try await written(ZarrInputFixture(format: .v3, shards: [1, 8, 10], codecs: ZarrStoreTests.zstd))
        var shard = try #require(try await storage.get("tas/c/0/0/0"))
        shard[shard.count - 10] ^= 0xFF
        try await storage.set("tas/c/0/0/0", to: shard)
        let reader = try await ZarrStore().open(DatasetReference(location: "damaged.zarr", storage: storage))
        let error = try await #require(throws: CubeError.self) {
            _ = try await reader.read("tas", timeIndex: 0, window: PixelWindow(rows: 0..<2, columns: 0..<2))
        }
        #expect(error.code == .invalidInput && error.message.contains("tas/c/0/0/0") && error.message.contains("crc32c"))
    }

    @Test func anUnknownCodecIsNamed() async throws {
        let storage = try await written(ZarrInputFixture(format: .v2, consolidated: false))
        let zarray = try JSONValue.parse(try #require(try await storage.get("tas/.zarray")))
        try await storage.set("tas/.zarray", to: zarray.setting("compressor", .object([("id", .string("lzma")), ("preset", .int(6))])).bytes)
        let error = try await #require(throws: CubeError.self) {
            _ = try await ZarrStore().describe(DatasetReference(location: "lzma.zarr", storage: storage))
        }
        #expect(error.code == .unsupported)
        #expect(error.message.contains("'lzma'") && error.message.contains("'tas'") && error.message.contains("lzma.zarr"))
    }

    @Test func missingDimensionNamesAreAnError() async throws {
        let storage = try await written(ZarrInputFixture(format: .v2, consolidated: false))
        try await storage.set("tas/.zattrs", to: JSONValue.object([("units", .string("K"))]).bytes)
        let error = try await #require(throws: CubeError.self) {
            _ = try await ZarrStore().describe(DatasetReference(location: "nodims.zarr", storage: storage))
        }
        #expect(error.code == .invalidInput && error.message.contains("'tas'") && error.message.contains("_ARRAY_DIMENSIONS"))
    }

    @Test func somethingElseIsNotAZarrStore() async throws {
        let empty = MemoryStorage()
        try await empty.set("readme.txt", to: Array("hello".utf8))
        let error = try await #require(throws: CubeError.self) {
            _ = try await ZarrStore().describe(DatasetReference(location: "plain-folder", storage: empty))
        }
        #expect(error.code == .invalidInput && error.message.contains("'plain-folder' is not a Zarr store"))
        let dir = try TemporaryDirectory("zarr-not")
        defer { dir.remove() }
        let file = try dir.write("a.nc", "not zarr")
        let fileError = try await #require(throws: CubeError.self) { _ = try await ZarrStore().describe(path: file) }
        #expect(fileError.message.contains("is not a Zarr store"))
    }

    @Test func anXcubePyramidDescribesEveryLevelAndReadsTheOneAskedFor() async throws {
        let dir = try TemporaryDirectory("zarr-levels")
        defer { dir.remove() }
        let root = dir.path("cube.levels")
        let level0 = ZarrInputFixture(format: .v2, nx: 12, ny: 10, resolution: 1)
        let level1 = ZarrInputFixture(format: .v2, nx: 6, ny: 5, resolution: 2)
        try await level0.write(to: FileSystemStorage(root: URL(fileURLWithPath: root + "/0.zarr")))
        try await level1.write(to: FileSystemStorage(root: URL(fileURLWithPath: root + "/1.zarr")))
        try dir.write("cube.levels/.zlevels", #"{"version": "1.0", "num_levels": 2, "tile_size": [256, 256]}"#)
        let descriptor = try await ZarrStore().describe(path: root)
        #expect(descriptor.levels.map(\.path) == ["0.zarr", "1.zarr"])
        #expect(descriptor.levels.map(\.grid.width) == [12, 6] && descriptor.level?.index == 0 && descriptor.grid.width == 12)
        let reference = DatasetReference(location: root, storage: FileSystemStorage(root: URL(fileURLWithPath: root)), level: 1)
        let coarse = try await ZarrStore().describe(reference)
        #expect(coarse.grid.width == 6 && coarse.level?.path == "1.zarr" && coarse.location == root)
        let values = try await ZarrStore().open(reference).read("tas", timeIndex: 0, window: PixelWindow(rows: 0..<5, columns: 0..<6))
        #expect(abs(Double(values[7]) - level1.tas(0, 1, 1)) < 1e-4)
        try dir.write("cube.levels/.zlevels", #"{"version": "1.0"}"#)
        let error = try await #require(throws: CubeError.self) { _ = try await ZarrStore().describe(path: root) }
        #expect(error.message.contains(".zlevels") && error.message.contains("num_levels"))
    }
}
