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
}
