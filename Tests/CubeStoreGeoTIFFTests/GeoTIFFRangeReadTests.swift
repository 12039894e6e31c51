import CubeCore
import CubeFixtures
import CubeStoreGeoTIFF
import Synchronization
import Testing

/// Bytes of one in-memory object served by range, counting requests and bytes.
private final class CountingRanges: ByteRangeReader {
    let bytes: [UInt8]
    let counts = Mutex((requests: 0, bytes: 0))

    init(_ bytes: [UInt8]) { self.bytes = bytes }

    var size: Int { bytes.count }

    func read(_ range: Range<Int>) async throws -> [UInt8] {
        counts.withLock { $0.requests += 1; $0.bytes += range.count }
        return Array(bytes[range])
    }
}

/// A remote COG read by byte range: the same values as the local file, and only its header and
/// the pages holding the tiles a window needs are fetched.
@Suite struct GeoTIFFRangeReadTests {
    @Test func aSmallWindowFetchesTheHeaderAndItsTilesOnly() async throws {
        var fixture = GeoTIFFFixture(width: 1024, height: 1024, bands: GeoTIFFStoreTests.ramp(1024, 1024, bands: 1))
        fixture.tile = (32, 32)
        let bytes = fixture.bytes()
        let ranges = CountingRanges(bytes)
        let store = GeoTIFFStore()
        let described = try await store.describe(location: "https://example.org/cog.tif", bytes: ranges)
        #expect(described.grid.width == 1024 && described.location == "https://example.org/cog.tif")
        let reader = try await store.reader(location: "https://example.org/cog.tif", bytes: ranges)
        let before = ranges.counts.withLock { $0 }
        let window = PixelWindow(rows: 40..<70, columns: 100..<130)
        let values = try await reader.read("band_1", timeIndex: 0, window: window)
        #expect(values == window.rows.flatMap { r in window.columns.map { c in Float(10 * r + c) } })
        #expect(reader.blocksDecoded == 4)
        let after = ranges.counts.withLock { $0 }
        // 4 tiles of 4 KiB in two tile rows: two 64 KiB pages beyond the header's.
        #expect(after.requests - before.requests <= 2)
        #expect(after.bytes < bytes.count / 10, "fetched \(after.bytes) of \(bytes.count) bytes")
        let fetched = try #require(reader.rangeFetches)
        #expect(fetched.bytes < bytes.count / 10)
    }

    @Test func aTruncatedRemoteObjectIsAnErrorNamingTheURL() async throws {
        var fixture = GeoTIFFFixture(width: 256, height: 256, bands: GeoTIFFStoreTests.ramp(256, 256, bands: 1))
        fixture.tile = (32, 32)
        let bytes = fixture.bytes()
        let reader = try await GeoTIFFStore().reader(location: "s3://bucket/cut.tif", bytes: CountingRanges(Array(bytes.prefix(bytes.count - 10_000))))
        await #expect { try await reader.read("band_1", timeIndex: 0, window: PixelWindow(rows: 224..<256, columns: 0..<256)) } throws: {
            ($0 as? CubeError)?.message.contains("s3://bucket/cut.tif") == true
        }
    }
}
