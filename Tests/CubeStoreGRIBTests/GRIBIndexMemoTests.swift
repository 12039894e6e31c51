import CubeCore
import Foundation
import Testing
@testable import CubeStoreGRIB

/// GRIB indexes remembered between runs (`GRIBIndexMemo`): the remembered index equals a fresh
/// one, is what the next run uses while the file is unchanged, and a new version of the file, an
/// entry of another build or a damaged entry is indexed anew.
@Suite struct GRIBIndexMemoTests {
    private var fixture: String {
        URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Fixtures/healpix_h2_nested.grib2").path
    }

    /// A folder holding a copy of the fixture (`path`) and a memo of its own (settling time 0).
    private func copyOfTheFixture() throws -> (folder: String, path: String, memo: FileVersionMemo) {
        let dir = NSTemporaryDirectory() + "grib-index-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        let path = dir + "/in.grib2"
        try FileManager.default.copyItem(atPath: fixture, toPath: path)
        return (dir, path, FileVersionMemo(namespace: "grib-index", environment: ["XDG_CACHE_HOME": dir + "/cache"], settle: 0))
    }

    /// Reduced Gaussian rows and latitudes are stored once per entry and come back on every message.
    @Test func gridTablesAreSharedAndRestored() throws {
        let (dir, path, memo) = try copyOfTheFixture()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        var messages = try GRIBCalls.index(path, memo: memo)
        let rows = (0..<640).map { 20 + 4 * min($0, 639 - $0) }
        let latitudes = (0..<640).map { 89.9 - Double($0) * 0.28 }
        for k in messages.indices {
            messages[k].pointsPerRow = rows
            messages[k].gaussianLatitudes = k == 0 ? latitudes : latitudes.reversed()
        }
        let version = try #require(memo.version(of: path))
        GRIBIndexMemo.remember(messages, for: version, path: path, in: memo)
        #expect(GRIBIndexMemo.messages(for: version, in: memo) == messages)
        let text = try #require(memo.value(for: version))
        #expect(text.components(separatedBy: "20,24,28,32").count == 2, "one row table, not one per message")
    }

    @Test func aRememberedIndexServesUntilTheFileChanges() throws {
        let (dir, path, memo) = try copyOfTheFixture()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let fresh = try GRIBCalls.index(path, memo: memo)
        #expect(fresh.count == 2 && fresh[0].nside == 2)
        let version = try #require(memo.version(of: path))
        #expect(GRIBIndexMemo.messages(for: version, in: memo) == fresh)

        // What is remembered is what a run gets (here: a planted short name).
        var planted = fresh
        planted[1].shortName = "planted"
        GRIBIndexMemo.remember(planted, for: version, path: path, in: memo)
        #expect(try GRIBCalls.index(path, memo: memo)[1].shortName == "planted")

        // An entry of another build, or one that does not decode, is a miss.
        memo.remember("cubegen GRIB index 0; another build\n" + String(decoding: try JSONEncoder().encode(planted), as: UTF8.self),
                      for: version, path: path)
        #expect(GRIBIndexMemo.messages(for: version, in: memo) == nil)
        #expect(try GRIBCalls.index(path, memo: memo) == fresh)
        memo.remember(GRIBIndexMemo.stamp + "\n[{\"index\": 1}]", for: version, path: path)
        #expect(GRIBIndexMemo.messages(for: version, in: memo) == nil)
        memo.remember(GRIBIndexMemo.stamp + "\n{\"messages\": [], \"rowTables\": [], \"latitudeTables\": [], \"rows\": [], \"latitudes\": []}",
                      for: version, path: path)
        #expect(GRIBIndexMemo.messages(for: version, in: memo) == nil)

        // A new version of the file (an atomic rewrite: a new inode) is indexed anew.
        GRIBIndexMemo.remember(planted, for: version, path: path, in: memo)
        try Data(contentsOf: URL(fileURLWithPath: fixture)).write(to: URL(fileURLWithPath: path), options: .atomic)
        #expect(memo.version(of: path) != version)
        #expect(try GRIBCalls.index(path, memo: memo) == fresh)
    }
}
