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
