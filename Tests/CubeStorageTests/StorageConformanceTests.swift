import CubeFixtures
import CubeStorage
import Foundation
import Testing

@Suite struct StorageConformanceTests {
    @Test func memoryStorage() async throws {
        try await StorageConformance().run(MemoryStorage())
    }

    @Test func fileSystemStorage() async throws {
        let directory = try TemporaryDirectory("conformance")
        defer { directory.remove() }
        try await StorageConformance().run(FileSystemStorage(root: directory.url.appendingPathComponent("store")))
    }

    @Test func fileSystemStorageReadsOnlyTheRange() async throws {
        let directory = try TemporaryDirectory("range")
        defer { directory.remove() }
        let storage = FileSystemStorage(root: directory.url)
        try await storage.set("a/b", to: Array(0..<200))
        // A range read must not depend on reading the file whole: a file that grows underneath still answers.
        #expect(try await storage.get("a/b", range: .bounded(100..<104)) == [100, 101, 102, 103])
        #expect(try await storage.head("a/b")?.modified != nil)
        #expect(try await storage.head("a") == nil, "a directory is not a value")
    }

    @Test func fileSystemWritesLeaveNoTemporaryFiles() async throws {
        let directory = try TemporaryDirectory("replace")
        defer { directory.remove() }
        let storage = FileSystemStorage(root: directory.url)
        try await storage.set("x/y/c", to: [1, 2, 3])
        try await storage.set("x/y/c", to: [4])
        try await storage.put("x/y/d", [5], condition: .ifAbsent)
        await #expect(throws: StorageError.self) { try await storage.put("x/y/d", [6], condition: .ifAbsent) }
        #expect(try await storage.get("x/y/c") == [4])
        #expect(try await storage.get("x/y/d") == [5])
        let names = try FileManager.default.contentsOfDirectory(atPath: directory.url.appendingPathComponent("x/y").path)
        #expect(names.sorted() == ["c", "d"], "temporary files are renamed or removed")
        let mode = try FileManager.default.attributesOfItem(atPath: directory.url.appendingPathComponent("x/y/c").path)[.posixPermissions] as? Int
        #expect(mode.map { $0 & 0o600 } == 0o600, "the owner reads and writes a chunk file")
    }

    @Test func fileSystemWriteUnderAFileNamesThePath() async throws {
        let directory = try TemporaryDirectory("blocked")
        defer { directory.remove() }
        let storage = FileSystemStorage(root: directory.url)
        try await storage.set("a", to: [1])
        do {
            try await storage.set("a/b", to: [2])
            Issue.record("writing below a regular file succeeded")
        } catch let error as StorageError {
            #expect(error.location.hasSuffix("/a") || error.location.hasSuffix("/a/b"), "\(error.location)")
            #expect(error.description.contains("directory") || error.description.contains("exists"), "\(error)")
        }
        #expect(try await storage.get("a") == [1], "nothing already written is lost")
    }
}

/// `BackgroundRemoval`: the directory's name is free at once, and the tree (with what an
/// interrupted earlier removal left) is gone once the removal is awaited.
@Suite struct BackgroundRemovalTests {
    @Test func theNameIsFreeAtOnceAndTheTreeGoneAfterTheWait() async throws {
        let directory = try TemporaryDirectory("removal")
        defer { directory.remove() }
        let root = directory.url.appendingPathComponent("copy.ts.zarr")
        let storage = FileSystemStorage(root: root)
        for k in 0..<50 { try await storage.set(StoreKey("v/0.\(k).0"), to: [UInt8(k)]) }
        let stale = directory.url.appendingPathComponent(".copy.ts.zarr.cubegen-removing-0123")
        try FileManager.default.createDirectory(at: stale.appendingPathComponent("t2m"), withIntermediateDirectories: true)
        let bystander = directory.url.appendingPathComponent("copy.zarr")
        try FileManager.default.createDirectory(at: bystander, withIntermediateDirectories: true)
        let removal = try #require(try BackgroundRemoval.start(storage))
        #expect(!FileManager.default.fileExists(atPath: root.path), "the store is empty as soon as start returns")
        try await storage.set(".marker", to: [1])
        #expect(try await storage.get(".marker") == [1], "a new store can be written at once")
        await removal.value
        let left = try FileManager.default.contentsOfDirectory(atPath: directory.url.path).sorted()
        #expect(left == ["copy.ts.zarr", "copy.zarr"], "the renamed tree and the stale one are gone, nothing else")
        #expect(try BackgroundRemoval.start(FileSystemStorage(root: directory.url.appendingPathComponent("absent"))) == nil)
    }
}
