import CubeFixtures
import CubeStorage
import Foundation
import Testing

@Suite struct StorageRegistryTests {
    @Test func opensLocalPathsAndFileURLs() async throws {
        let directory = try TemporaryDirectory("registry")
        defer { directory.remove() }
        let registry = StorageRegistry.standard
        let byPath = try registry.openWritable(try StorageURL(directory.path("cube")), options: StorageOptions())
        try await byPath.set("a/b", to: [1, 2, 3])
        let byURL = try registry.open("file://\(directory.path("cube"))")
        #expect(try await byURL.get("a/b", range: .suffix(2)) == [2, 3])
    }

    @Test func unknownSchemeNamesTheKnownOnes() {
        #expect {
            _ = try StorageRegistry.standard.open("gs://bucket/key")
        } throws: { error in
            let text = "\(error)"
            return (error as? StorageError)?.code == .invalid && text.contains("unknown storage scheme 'gs'")
                && text.contains("known: file")
        }
    }

    @Test func pluginsRegisterSchemesAndReadOnlyBackendsAreRefusedForWriting() async throws {
        struct Fixed: ReadableStorage {
            func get(_ key: StoreKey) async throws -> [UInt8]? { [42] }
            func get(_ key: StoreKey, range: ByteRange) async throws -> [UInt8]? { [42] }
            func head(_ key: StoreKey) async throws -> ObjectInfo? { ObjectInfo(size: 1) }
        }
        var registry = StorageRegistry.standard
        registry.register(scheme: "Fixed") { url, options in
            #expect(url.authority == "host" && options.region == "r1")
            return Fixed()
        }
        #expect(registry.schemes == ["file", "fixed"])
        let store = try registry.open("fixed://host/x", options: StorageOptions(region: "r1"))
        #expect(try await store.get("k") == [42])
        #expect(throws: StorageError.self) { _ = try registry.openWritable(StorageURL("fixed://host/x"), options: StorageOptions(region: "r1")) }
    }

    @Test func errorCodesKeepTheOldInitialiser() {
        let error = StorageError(operation: "write", location: "/x", reason: "disk full")
        #expect(error.code == .io && !error.isRetryable)
        #expect(StorageError(operation: "read", location: "k", reason: "r", code: .throttled).isRetryable)
        #expect(error.description == "cannot write '/x': disk full [io]")
    }
}
