public import CubeStorage
import Foundation

/// The storage conformance kit: behaviour every `Storage` must show, run against memory, file and S3
/// stores alike. Give it an empty store; it leaves it empty. Each failed check throws a
/// `StorageConformance.Failure` naming the check, so any test framework reports it.
public struct StorageConformance: Sendable {
    /// A failed check.
    public struct Failure: Error, CustomStringConvertible {
        /// What was expected, and what happened.
        public var description: String
    }

    /// The page size used to test paginated listing (small, so listings take several pages).
    public var pageSize: Int
    /// The size of a value that the store must upload in parts, or `nil` to skip the multipart check.
    public var multipartSize: Int?
    /// How many writes run at once in the concurrency checks.
    public var concurrency: Int

    /// Creates a kit.
    public init(pageSize: Int = 2, multipartSize: Int? = nil, concurrency: Int = 16) {
        self.pageSize = pageSize
        self.multipartSize = multipartSize
        self.concurrency = concurrency
    }

    /// Runs every check against `storage`, which must be empty.
    public func run(_ storage: some Storage) async throws {
        try await missingKeys(storage)
        try await ranges(storage)
        try await emptyValue(storage)
        try await createOnly(storage)
        try await concurrentCreates(storage)
        try await concurrentPuts(storage)
        try await listing(storage)
        try await prefixErase(storage)
        try await awkwardKeys(storage)
        if let multipartSize { try await multipart(storage, size: multipartSize) }
        try await storage.erase(prefix: "")
        try check(try await storage.list(prefix: "").isEmpty, "erase(prefix: \"\") leaves the store empty")
    }

    /// A deterministic value of `count` bytes, different per `seed`.
    public static func pattern(_ count: Int, seed: UInt64) -> [UInt8] {
        var random = SplitMix64(seed: seed)
        var bytes = [UInt8](repeating: 0, count: count)
        var index = 0
        while index < count {
            var word = random.next()
            for _ in 0..<8 where index < count {
                bytes[index] = UInt8(truncatingIfNeeded: word)
                word >>= 8
                index += 1
            }
        }
        return bytes
    }

    private func check(_ condition: Bool, _ what: String) throws {
        if !condition { throw Failure(description: "storage conformance: expected \(what)") }
    }

    /// Runs `body` and checks that it throws a `StorageError` with `code`.
    private func expectError(_ code: StorageError.Code, _ what: String, _ body: () async throws -> Void) async throws {
        do {
            try await body()
        } catch let error as StorageError {
            try check(error.code == code, "\(what) to fail with \(code), not \(error.code): \(error)")
            return
        }
        throw Failure(description: "storage conformance: expected \(what) to fail with \(code); it succeeded")
    }

    private func missingKeys(_ storage: some Storage) async throws {
        try check(try await storage.get("missing/a") == nil, "get of a missing key to return nil")
        try check(try await storage.get("missing/a", range: .bounded(0..<4)) == nil, "ranged get of a missing key to return nil")
        try check(try await storage.get("missing/a", range: .suffix(4)) == nil, "suffix get of a missing key to return nil")
        try check(try await storage.head("missing/a") == nil, "head of a missing key to return nil")
        try await storage.delete("missing/a")
        try await storage.erase(prefix: "missing")
    }

    private func ranges(_ storage: some Storage) async throws {
        let value = Self.pattern(1000, seed: 1)
        try await storage.put("ranges/v", value, condition: .always)
        try check(try await storage.get("ranges/v") == value, "the value read back whole")
        try check(try await storage.get("ranges/v", range: .all) == value, "range .all to read the whole value")
        try check(try await storage.get("ranges/v", range: .bounded(10..<20)) == Array(value[10..<20]), "bytes 10..<20")
        try check(try await storage.get("ranges/v", range: .bounded(0..<1000)) == value, "bytes 0..<1000")
        try check(try await storage.get("ranges/v", range: .bounded(999..<1000)) == [value[999]], "the last byte")
        try check(try await storage.get("ranges/v", range: .bounded(500..<500)) == [], "an empty range to read nothing")
        try check(try await storage.get("ranges/v", range: .suffix(7)) == Array(value[993...]), "the last 7 bytes")
        try check(try await storage.get("ranges/v", range: .suffix(5000)) == value, "a suffix longer than the value to read it whole")
        try check(try await storage.get("ranges/v", range: .suffix(0)) == [], "a suffix of 0 bytes to read nothing")
        try await expectError(.invalid, "a range reaching past the end") {
            _ = try await storage.get("ranges/v", range: .bounded(990..<1001))
        }
        try await expectError(.invalid, "a range starting past the end") {
            _ = try await storage.get("ranges/v", range: .bounded(2000..<2010))
        }
        let info = try await storage.head("ranges/v")
        try check(info?.size == 1000, "head to report 1000 bytes, not \(String(describing: info))")
        try await storage.delete("ranges/v")
        try check(try await storage.get("ranges/v") == nil, "a deleted key to be gone")
    }

    private func emptyValue(_ storage: some Storage) async throws {
        try await storage.put("empty", [], condition: .always)
        try check(try await storage.get("empty") == [], "an empty value read back empty")
        try check(try await storage.get("empty", range: .suffix(5)) == [], "a suffix of an empty value to be empty")
        try check(try await storage.head("empty")?.size == 0, "head of an empty value to report 0 bytes")
        try await storage.delete("empty")
    }

    private func createOnly(_ storage: some Storage) async throws {
        try await storage.put("create/marker", [1], condition: .ifAbsent)
        try await expectError(.conditionFailed, "a second create-only put") {
            try await storage.put("create/marker", [2], condition: .ifAbsent)
        }
        try check(try await storage.get("create/marker") == [1], "a refused create-only put to leave the value unchanged")
        try await storage.put("create/marker", [3], condition: .always)
        try check(try await storage.get("create/marker") == [3], "an unconditional put to replace the value")
        try await storage.set("create/marker", to: [4])
        try check(try await storage.get("create/marker") == [4], "set to replace the value")
        try await storage.erase(prefix: "create")
    }

    private func concurrentCreates(_ storage: some Storage) async throws {
        let outcomes = try await withThrowingTaskGroup(of: Bool.self) { group in
            for writer in 0..<concurrency {
                group.addTask {
                    do {
                        try await storage.put("race/lease", [UInt8(writer)], condition: .ifAbsent)
                        return true
                    } catch let error as StorageError where error.code == .conditionFailed {
                        return false
                    }
                }
            }
            return try await group.reduce(into: [Bool]()) { $0.append($1) }
        }
        let winners = outcomes.filter { $0 }.count
        try check(winners == 1, "exactly one of \(concurrency) concurrent create-only puts to succeed, not \(winners)")
        try await storage.erase(prefix: "race")
    }

    private func concurrentPuts(_ storage: some Storage) async throws {
        try await withThrowingTaskGroup(of: Void.self) { group in
            for index in 0..<concurrency {
                group.addTask {
                    try await storage.put(StoreKey("many/\(index)"), Self.pattern(100 + index, seed: UInt64(index)),
                                          condition: .always)
                }
            }
            try await group.waitForAll()
        }
        for index in 0..<concurrency {
            let value = try await storage.get(StoreKey("many/\(index)"))
            try check(value == Self.pattern(100 + index, seed: UInt64(index)), "concurrently written value \(index) read back")
        }
        try check(try await storage.list(prefix: "many/").count == concurrency, "\(concurrency) keys after concurrent puts")
        try await storage.erase(prefix: "many")
    }

    private func listing(_ storage: some Storage) async throws {
        let names = ["list/a", "list/b/1", "list/b/2", "list/c", "list/d.json", "list/e", "lister", "other"]
        for name in names.reversed() { try await storage.set(StoreKey(name), to: [0]) }
        let all = try await storage.list(prefix: "list/").map(\.rawValue)
        try check(all == Array(names.prefix(6)), "list(prefix: \"list/\") to give \(names.prefix(6)), not \(all)")
        try check(try await storage.list(prefix: "list").count == 7, "a prefix to match partial names (list, lister)")
        var paged: [String] = []
        var token: String?
        var pages = 0
        repeat {
            let page = try await storage.listPage(prefix: "list/", continuation: token, limit: pageSize)
            try check(page.keys.count <= pageSize, "a page to hold at most \(pageSize) keys, not \(page.keys.count)")
            paged += page.keys.map(\.rawValue)
            token = page.continuation
            pages += 1
            try check(pages <= 100, "paginated listing to end")
        } while token != nil
        try check(paged == all, "pages of \(pageSize) to give the full listing in order, not \(paged)")
        let least = (all.count + pageSize - 1) / pageSize
        try check(pages >= least, "\(all.count) keys in pages of \(pageSize) to take \(least) pages or more, not \(pages)")
        var streamed: [String] = []
        for try await key in storage.keys(prefix: "list/", pageSize: pageSize) { streamed.append(key.rawValue) }
        try check(streamed == all, "keys(prefix:pageSize:) to give the full listing, not \(streamed)")
        try check(try await storage.list(prefix: "nothing-here/").isEmpty, "an empty listing")
        for name in names { try await storage.delete(StoreKey(name)) }
    }

    private func prefixErase(_ storage: some Storage) async throws {
        // A key and keys below it ("tree" and "tree/a") cannot both exist in a file system: not asked.
        for name in ["tree/a", "tree/b/c", "tree/b/d", "treehouse", "tree2/x", "leaf", "leafy/x"] {
            try await storage.set(StoreKey(name), to: [1])
        }
        try await storage.erase(prefix: "tree")
        try await storage.erase(prefix: "leaf")
        let left = try await storage.list(prefix: "").map(\.rawValue)
        try check(left == ["leafy/x", "tree2/x", "treehouse"],
                  "erase(prefix:) of \"tree\" and \"leaf\" to keep only leafy/x, tree2/x and treehouse, not \(left)")
        try await storage.erase(prefix: "")
    }

    private func awkwardKeys(_ storage: some Storage) async throws {
        let key = StoreKey("odd/with space+plus=eq%25&amp/ünïcødé ✓/~tilde.bin")
        try await storage.set(key, to: [7, 8, 9])
        try check(try await storage.get(key) == [7, 8, 9], "a key with spaces, + = % & and non-ASCII read back")
        try check(try await storage.get(key, range: .bounded(1..<3)) == [8, 9], "a ranged read of that key")
        try check(try await storage.list(prefix: "odd/").map(\.rawValue) == [key.rawValue], "that key listed as written")
        try await storage.erase(prefix: "odd")
        try check(try await storage.get(key) == nil, "that key erased")
    }

    private func multipart(_ storage: some Storage, size: Int) async throws {
        let value = Self.pattern(size, seed: 99)
        try await storage.put("big/value", value, condition: .always)
        try check(try await storage.head("big/value")?.size == size, "head of a multipart object to report \(size) bytes")
        try check(try await storage.get("big/value") == value, "a multipart object read back whole")
        let middle = (5 << 20) - 10..<(5 << 20) + 10
        try check(try await storage.get("big/value", range: .bounded(middle)) == Array(value[middle]),
                  "a range across the first part boundary")
        try check(try await storage.get("big/value", range: .suffix(3)) == Array(value[(size - 3)...]), "the last 3 bytes")
        try await storage.put("big/created", value, condition: .ifAbsent)
        try await expectError(.conditionFailed, "a second create-only multipart put") {
            try await storage.put("big/created", value, condition: .ifAbsent)
        }
        try await storage.erase(prefix: "big")
    }
}
