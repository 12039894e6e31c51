import CubeStorage
import Foundation
import Testing

@Suite struct StorageTests {
    private func exercise(_ storage: some Storage) async throws {
        #expect(try await storage.get("a/b") == nil)
        try await storage.set("a/b", to: [1, 2])
        try await storage.set("a/c/d", to: [3])
        try await storage.set("z", to: [])
        #expect(try await storage.get("a/b") == [1, 2])
        #expect(try await storage.get("z") == [])
        #expect(try await storage.list(prefix: "a/").map(\.rawValue) == ["a/b", "a/c/d"])
        try await storage.set("a/b", to: [9])
        #expect(try await storage.get("a/b") == [9])
        try await storage.erase(prefix: "a")
        #expect(try await storage.list(prefix: "").map(\.rawValue) == ["z"])
    }

    @Test func memoryStorage() async throws { try await exercise(MemoryStorage()) }

    @Test func fileSystemStorage() async throws {
        let root = FileManager.default.temporaryDirectory.appendingPathComponent("cubegen-storage-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: root) }
        try await exercise(FileSystemStorage(root: root))
    }

    @Test func keysRejectEscapes() {
        #expect(StoreKey.isValid("a/b.c"))
        for bad in ["", "/a", "a/", "a//b", "../x", "a/./b"] { #expect(!StoreKey.isValid(bad), "\(bad)") }
    }
}
