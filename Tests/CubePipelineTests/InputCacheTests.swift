import CubeCrypto
import CubeFixtures
import CubeGen
import Foundation
import Testing

/// The remote-input cache: one download per object version, verified, atomic, within its budget.
@Suite struct InputCacheTests {
    private func pattern(_ count: Int, seed: UInt8) -> [UInt8] { (0..<count).map { UInt8(truncatingIfNeeded: $0 &* 31 &+ Int(seed)) } }

    /// Entries in the cache folder: (final entries, temporary files).
    private func entries(_ dir: String) -> (final: [String], partial: [String]) {
        let names = (try? FileManager.default.contentsOfDirectory(atPath: dir)) ?? []
        return (names.filter { !$0.hasPrefix(".") }.sorted(), names.filter { $0.hasPrefix(".") })
    }

    @Test func anUnchangedObjectIsFetchedOnceAndAChangedOneAgain() async throws {
        let dir = try TemporaryDirectory("cache")
        defer { dir.remove() }
        let store = ScriptedObjectStore()
        let first = pattern(1000, seed: 1)
        store.put("data/a.nc", first)
        let cache = InputCache(directory: dir.path("c"), budget: 1 << 20)
        let path = try await cache.localFile(for: try await store.object("data/a.nc"))
        #expect(path.hasSuffix(".nc") && path.hasPrefix(dir.path("c") + "/"))
        #expect(Array(try Data(contentsOf: URL(fileURLWithPath: path))) == first)
        #expect(try await cache.localFile(for: try await store.object("data/a.nc")) == path)
        // Another cache instance on the same folder (the next run) finds it too.
        let next = InputCache(directory: dir.path("c"), budget: 1 << 20)
        #expect(try await next.localFile(for: try await store.object("data/a.nc")) == path)
        #expect(store.requests.gets == 1)
        let cacheStatistics = await cache.statistics, nextStatistics = await next.statistics
        #expect(cacheStatistics.downloads == 1 && cacheStatistics.hits == 1)
        #expect(nextStatistics.downloads == 0 && nextStatistics.hits == 1)

        let second = pattern(1200, seed: 2)
        store.put("data/a.nc", second)
        let changed = try await next.localFile(for: try await store.object("data/a.nc"))
        #expect(changed != path)
        #expect(Array(try Data(contentsOf: URL(fileURLWithPath: changed))) == second)
        #expect(store.requests.gets == 2)
        let afterChange = await next.statistics
        #expect(afterChange.downloads == 1 && afterChange.bytesDownloaded == 1200)
        #expect(entries(dir.path("c")).final.count == 2, "the old version stays while an instance that handed it out lives")
        let third = InputCache(directory: dir.path("c"), budget: 1 << 20)
        store.put("data/a.nc", pattern(800, seed: 7))
        let latest = try await third.localFile(for: try await store.object("data/a.nc"))
        #expect(entries(dir.path("c")).final == [URL(fileURLWithPath: latest).lastPathComponent],
                "a new version replaces older ones of the same URL")
    }

    @Test func largeObjectsArriveInRangedPartsIntact() async throws {
        let dir = try TemporaryDirectory("cache")
        defer { dir.remove() }
        let store = ScriptedObjectStore()
        let value = pattern(10_000, seed: 5)
        store.put("big.nc", value)
        let cache = InputCache(directory: dir.path("c"), budget: 1 << 20, partSize: 1024, parallelParts: 3)
        let path = try await cache.localFile(for: try await store.object("big.nc"))
        #expect(Array(try Data(contentsOf: URL(fileURLWithPath: path))) == value)
        #expect(store.requests.gets == 10 && store.requests.ranged == 10)
        #expect(entries(dir.path("c")).partial.isEmpty)

        // Replaced while its parts were fetched (seen by the HEAD after the parts): an error, no entry.
        let other = InputCache(directory: dir.path("d"), budget: 1 << 20, partSize: 1024, parallelParts: 3)
        let announced = try await store.object("big.nc")
        store.put("big.nc", pattern(10_000, seed: 6))
        await #expect { _ = try await other.localFile(for: announced) } throws: { error in
            "\(error)".contains("'s3://scripted/big.nc' changed while it was fetched")
        }
        #expect(entries(dir.path("d")).final.isEmpty && entries(dir.path("d")).partial.isEmpty)
    }

    @Test func aDamagedDownloadIsAnErrorNamingTheURLAndLeavesNothing() async throws {
        let dir = try TemporaryDirectory("cache")
        defer { dir.remove() }
        let store = ScriptedObjectStore()
        store.put("data/x.nc", pattern(500, seed: 9))
        store.damage { bytes in var copy = bytes; copy[100] ^= 0xFF; return copy }
        let cache = InputCache(directory: dir.path("c"), budget: 1 << 20)
        let object = try await store.object("data/x.nc")
        do {
            _ = try await cache.localFile(for: object)
            Issue.record("a download whose MD5 differs from its ETag must fail")
        } catch let error as CubeError {
            #expect(error.message.contains("'s3://scripted/data/x.nc' arrived damaged"), "\(error.message)")
            #expect(error.message.contains(object.info.etag!))
            #expect(!error.message.contains(dir.path("c")), "names the URL, not the cache: \(error.message)")
        }
        #expect(entries(dir.path("c")).final.isEmpty && entries(dir.path("c")).partial.isEmpty)

        // A short answer (the object changed between HEAD and GET) is an error too.
        store.damage { Array($0.dropLast(7)) }
        await #expect { _ = try await cache.localFile(for: object) } throws: { error in
            "\(error)".contains("'s3://scripted/data/x.nc' changed while it was fetched: 493 bytes arrived, 500 expected")
        }
        // A multipart entity tag (with '-') cannot be checked by MD5: the size alone decides.
        store.damage { $0 }
        store.put("data/m.nc", pattern(500, seed: 3), etag: "0123456789abcdef0123456789abcdef-2")
        let path = try await cache.localFile(for: try await store.object("data/m.nc"))
        #expect(Array(try Data(contentsOf: URL(fileURLWithPath: path))) == pattern(500, seed: 3))
    }

    @Test func leastRecentlyUsedEntriesGoBeyondTheBudget() async throws {
        let dir = try TemporaryDirectory("cache")
        defer { dir.remove() }
        let store = ScriptedObjectStore()
        for (index, name) in ["a.nc", "b.nc", "c.nc", "d.nc"].enumerated() { store.put(StoreKey(name), pattern(100, seed: UInt8(index))) }
        // Each run is its own cache instance (entries handed out by the running instance are kept).
        var paths: [String: String] = [:]
        for (age, name) in ["a.nc", "b.nc", "c.nc"].enumerated() {
            let cache = InputCache(directory: dir.path("c"), budget: 250)
            let path = try await cache.localFile(for: try await store.object(StoreKey(name)))
            paths[name] = path
            // Distinct last-use times: a oldest, then b, then c.
            try FileManager.default.setAttributes([.modificationDate: Date(timeIntervalSinceNow: Double(age - 10) * 60)], ofItemAtPath: path)
        }
        // Three entries of 100 bytes exceed 250: the oldest (a) went when c arrived.
        #expect(!FileManager.default.fileExists(atPath: paths["a.nc"]!))
        #expect(FileManager.default.fileExists(atPath: paths["b.nc"]!) && FileManager.default.fileExists(atPath: paths["c.nc"]!))
        // Using b makes it recent; d's arrival then evicts c, the least recently used.
        let reuse = InputCache(directory: dir.path("c"), budget: 250)
        _ = try await reuse.localFile(for: try await store.object("b.nc"))
        let last = InputCache(directory: dir.path("c"), budget: 250)
        let d = try await last.localFile(for: try await store.object("d.nc"))
        #expect(await last.statistics.evictions == 1)
        #expect(!FileManager.default.fileExists(atPath: paths["c.nc"]!))
        #expect(FileManager.default.fileExists(atPath: paths["b.nc"]!) && FileManager.default.fileExists(atPath: d))
        #expect(entries(dir.path("c")).final.count == 2)
    }

    @Test func defaultsFollowTheEnvironment() throws {
        #expect(InputCache.defaultDirectory(environment: ["XDG_CACHE_HOME": "/x/cache", "HOME": "/h"]) == "/x/cache/cubegen/inputs")
        #expect(InputCache.defaultDirectory(environment: ["HOME": "/h"]) == "/h/.cache/cubegen/inputs")
        #expect(try InputCache.budget(environment: ["CUBEGEN_INPUT_CACHE_MB": "3"]) == 3 << 20)
        #expect(try InputCache.budget(environment: [:]) == InputCache.defaultBudget)
        #expect(throws: CubeError.self) { try InputCache.budget(environment: ["CUBEGEN_INPUT_CACHE_MB": "lots"]) }
    }
}
