import CubeCrypto
@testable import CubePipeline
import Foundation
import Testing

/// Input fingerprints remembered between runs (`FingerprintCache`): the digest is the file's, a
/// remembered one is used while the file is unchanged, and any write to the file hashes it anew.
@Suite struct FingerprintCacheTests {
    private func folder() throws -> String {
        let path = NSTemporaryDirectory() + "fingerprints-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        return path
    }

    @Test func aRememberedDigestServesUntilTheFileChanges() throws {
        let root = try folder()
        defer { try? FileManager.default.removeItem(atPath: root) }
        let file = root + "/input.grib2"
        try Data((0..<100_000).map { UInt8(truncatingIfNeeded: $0 &* 31) }).write(to: URL(fileURLWithPath: file))
        let cache = FingerprintCache(environment: ["XDG_CACHE_HOME": root + "/cache"], settle: 0)
        let digest = try cache.sha256(of: file)
        #expect(digest == (try SHA256.hex(fileAt: file)))
        let entries = try FileManager.default.contentsOfDirectory(atPath: root + "/cache/cubegen/fingerprints")
        try #require(entries.count == 1)
        // The entry is what a second run reads: a planted digest comes back while the file is unchanged.
        let planted = String(repeating: "ab", count: 32)
        let entry = root + "/cache/cubegen/fingerprints/" + entries[0]
        let key = try #require(try String(contentsOfFile: entry, encoding: .utf8).split(separator: "\n").first)
        #expect(key.hasPrefix(file + "\u{0}"))
        try (key + "\n" + planted).write(toFile: entry, atomically: true, encoding: .utf8)
        #expect(try cache.sha256(of: file) == planted)
        // Writing the file (same size, same content even) moves its change time: hashed anew.
        let bytes = try Data(contentsOf: URL(fileURLWithPath: file))
        try bytes.write(to: URL(fileURLWithPath: file))
        #expect(try cache.sha256(of: file) == digest)
        // A damaged entry is not believed.
        for entry in try FileManager.default.contentsOfDirectory(atPath: root + "/cache/cubegen/fingerprints") {
            try "not a digest".write(toFile: root + "/cache/cubegen/fingerprints/" + entry, atomically: true, encoding: .utf8)
        }
        #expect(try cache.sha256(of: file) == digest)
    }

    @Test func offOrAFreshFileHashesEveryTime() throws {
        let root = try folder()
        defer { try? FileManager.default.removeItem(atPath: root) }
        let file = root + "/input.nc"
        try Data([1, 2, 3]).write(to: URL(fileURLWithPath: file))
        let off = FingerprintCache(environment: ["XDG_CACHE_HOME": root + "/cache", "CUBEGEN_FINGERPRINT_CACHE": "off"], settle: 0)
        #expect(try off.sha256(of: file) == (try SHA256.hex(fileAt: file)))
        // Just written: within the settling time nothing is remembered.
        let fresh = FingerprintCache(environment: ["XDG_CACHE_HOME": root + "/cache"], settle: 60)
        #expect(try fresh.sha256(of: file) == (try SHA256.hex(fileAt: file)))
        #expect(!FileManager.default.fileExists(atPath: root + "/cache/cubegen/fingerprints"))
    }
}
