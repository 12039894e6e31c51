import CubeCore
import CubeFixtures
import Foundation
import Testing

/// Facts remembered per file version (`FileVersionMemo`): a fact comes back for the version it was
/// remembered for only — not for another version of the file, not for an entry whose stored key
/// differs (two keys sharing a name), not after the file changed while the fact was found.
@Suite struct FileVersionMemoTests {
    @Test func aFactBelongsToOneVersionOfOneFile() throws {
        let dir = try TemporaryDirectory("memo")
        defer { dir.remove() }
        let root = dir.url.path
        let file = root + "/input.bin"
        try Data([1, 2, 3]).write(to: URL(fileURLWithPath: file))
        let memo = FileVersionMemo(namespace: "facts", environment: ["XDG_CACHE_HOME": root + "/cache"], settle: 0)
        let version = try #require(memo.version(of: file))
        #expect(version.key.hasPrefix(file + "\u{0}"))
        #expect(memo.value(for: version) == nil)
        memo.remember("first line\nsecond line", for: version, path: file)
        #expect(memo.value(for: version) == "first line\nsecond line")

        // An entry whose stored key is another one (a name two keys share) is a miss.
        let entries = try FileManager.default.contentsOfDirectory(atPath: root + "/cache/cubegen/facts")
        try #require(entries.count == 1)
        try ("/elsewhere\u{0}1\u{0}2\nforged").write(toFile: root + "/cache/cubegen/facts/" + entries[0], atomically: true, encoding: .utf8)
        #expect(memo.value(for: version) == nil)

        // Another version of the file (a rewrite: new inode or change time) has no fact yet.
        memo.remember("fact", for: version, path: file)
        try Data([1, 2, 3]).write(to: URL(fileURLWithPath: file), options: .atomic)
        let next = try #require(memo.version(of: file))
        #expect(next != version && memo.value(for: next) == nil)
        // A fact found for the old version is not remembered for the new one.
        memo.remember("stale", for: version, path: file)
        #expect(memo.value(for: next) == nil)
    }

    @Test func offFreshOrMissingFilesHaveNoVersion() throws {
        let dir = try TemporaryDirectory("memo")
        defer { dir.remove() }
        let root = dir.url.path
        let file = root + "/input.bin"
        try Data([1]).write(to: URL(fileURLWithPath: file))
        let off = FileVersionMemo(namespace: "facts", environment: ["XDG_CACHE_HOME": root, "CUBEGEN_FINGERPRINT_CACHE": "off"], settle: 0)
        #expect(off.directory == nil && off.version(of: file) == nil)
        let fresh = FileVersionMemo(namespace: "facts", environment: ["XDG_CACHE_HOME": root], settle: 60)
        #expect(fresh.version(of: file) == nil)
        let memo = FileVersionMemo(namespace: "facts", environment: ["XDG_CACHE_HOME": root], settle: 0)
        #expect(memo.version(of: root + "/absent") == nil)
        #expect(memo.directory == root + "/cubegen/facts")
        #expect(FileVersionMemo(namespace: "facts", environment: ["HOME": "/home/someone"]).directory == "/home/someone/.cache/cubegen/facts")
    }
}
