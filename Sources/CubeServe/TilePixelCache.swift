import Synchronization

/// Where a tile's pixels fall in the cube: the pyramid level a tile position draws from and the
/// nearest level pixel of each of its pixels (`TileLevelPixels`), kept for recently drawn tile
/// positions, least recently used first out.
///
/// The placement depends on the tile's position only, not on the variable, time step or
/// colours, so a viewer stepping through time, switching variables or colour maps over the same
/// map view reuses it: the PROJ transforms were most of a tile's CPU time.
final class TilePixelCache: Sendable {
    /// A tile position of one dataset.
    struct Key: Hashable, Sendable {
        var dataset: String
        var matrix: TileMatrix
        var z: Int
        var y: Int
        var x: Int
    }

    /// The level a tile draws from and its pixels' places on it.
    struct Placement: Sendable {
        var level: Int
        var pixels: TileLevelPixels.Pixels
    }

    private struct State {
        var entries: [Key: (placement: Placement, used: UInt64)] = [:]
        var clock: UInt64 = 0
    }
    private let state = Mutex(State())
    /// The most placements kept (each 512 KiB).
    let capacity: Int

    /// A cache of at most `capacity` placements.
    init(capacity: Int = 128) { self.capacity = max(0, capacity) }

    /// The placement of `key`, computed by `make` when not cached.
    func placement(_ key: Key, make: () throws -> Placement) rethrows -> Placement {
        let cached = state.withLock { state -> Placement? in
            guard let entry = state.entries[key] else { return nil }
            state.clock += 1
            state.entries[key] = (entry.placement, state.clock)
            return entry.placement
        }
        if let cached { return cached }
        let placement = try make()
        guard capacity > 0 else { return placement }
        state.withLock { state in
            state.clock += 1
            state.entries[key] = (placement, state.clock)
            while state.entries.count > capacity, let oldest = state.entries.min(by: { $0.value.used < $1.value.used }) {
                state.entries.removeValue(forKey: oldest.key)
            }
        }
        return placement
    }

    /// Placements held.
    var count: Int { state.withLock { $0.entries.count } }
}
