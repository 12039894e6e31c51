/// A byte-bounded, least-recently-used cache of values computed asynchronously, where concurrent
/// requests for the same key share one computation.
///
/// Used for decoded source planes (many chunks read the same source time step), pixel mappings
/// (every time block of a chunk column reuses them) and decoded Zarr input chunks (every time step
/// of a chunk reads it). Memory stays within `budget` bytes
/// plus the values being computed.
public actor AsyncCache<Key: Hashable & Sendable, Value: Sendable> {
    private struct Entry {
        var task: Task<Value, any Error>
        var bytes: Int
        var lastUse: UInt64
        var done: Bool
    }

    private let budget: Int
    private let cost: @Sendable (Value) -> Int
    private var entries: [Key: Entry] = [:]
    private var clock: UInt64 = 0
    private var used = 0
    /// Requests answered from an entry.
    public private(set) var hits = 0
    /// Requests that computed their value.
    public private(set) var misses = 0

    /// Creates a cache of at most `budget` bytes, each value costing `cost(value)`.
    public init(budget: Int, cost: @escaping @Sendable (Value) -> Int) {
        self.budget = budget
        self.cost = cost
    }

    /// Returns the cached value for `key`, computing it with `load` when absent.
    /// - Throws: what `load` throws (a failed computation is not cached).
    public func value(for key: Key, load: @escaping @Sendable () async throws -> Value) async throws -> Value {
        clock += 1
        if var entry = entries[key] {
            hits += 1
            entry.lastUse = clock
            entries[key] = entry
            return try await entry.task.value
        }
        misses += 1
        let task = Task { try await load() }
        entries[key] = Entry(task: task, bytes: 0, lastUse: clock, done: false)
        do {
            let value = try await task.value
            let bytes = cost(value)
            if var entry = entries[key] {
                entry.bytes = bytes
                entry.done = true
                entries[key] = entry
                used += bytes
            }
            evict()
            return value
        } catch {
            entries[key] = nil
            throw error
        }
    }

    private func evict() {
        while used > budget {
            guard let victim = entries.filter({ $0.value.done }).min(by: { $0.value.lastUse < $1.value.lastUse }) else { return }
            used -= victim.value.bytes
            entries[victim.key] = nil
        }
    }
}
