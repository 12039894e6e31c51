import Synchronization

/// Rendered tiles, least recently used first out when over `budget` bytes.
final class TileCache: Sendable {
    private struct State {
        var entries: [TileRequest: (png: [UInt8], used: UInt64)] = [:]
        var bytes = 0
        var clock: UInt64 = 0
    }
    private let state = Mutex(State())
    let budget: Int

    /// A cache holding at most `budget` bytes of PNG.
    init(budget: Int) { self.budget = budget }

    /// The cached tile, if any (marked as just used).
    func get(_ key: TileRequest) -> [UInt8]? {
        state.withLock { state in
            guard let entry = state.entries[key] else { return nil }
            state.clock += 1
            state.entries[key] = (entry.png, state.clock)
            return entry.png
        }
    }

    /// Stores a tile, evicting the least recently used ones beyond the budget.
    func put(_ key: TileRequest, _ png: [UInt8]) {
        guard png.count <= budget else { return }
        state.withLock { state in
            state.clock += 1
            if let old = state.entries.updateValue((png, state.clock), forKey: key) { state.bytes -= old.png.count }
            state.bytes += png.count
            while state.bytes > budget, let oldest = state.entries.min(by: { $0.value.used < $1.value.used }) {
                state.bytes -= oldest.value.png.count
                state.entries.removeValue(forKey: oldest.key)
            }
        }
    }

    /// Bytes held.
    var bytes: Int { state.withLock { $0.bytes } }
}
