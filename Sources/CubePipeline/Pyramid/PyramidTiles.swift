import Synchronization

/// Builds the tiles of pyramid levels 1 and up from level-0 planes as chunk tasks produce them.
///
/// A level tile covers `tile × 2^k` level-0 pixels a side, usually parts of several tasks'
/// regions. A region's pixels are reduced level by level first (`PyramidRegionLevel`: sum and
/// count for `mean`, the extreme for `min`/`max`, the top-left pixel for `first`), so each is
/// read once whatever the number of levels; a tile keeps the reduced parts of the regions that
/// reached it and the number still to come, and the last contribution combines them (outside
/// the tile's lock, which only guards the hand-over: workers on neighbouring regions share
/// tiles) and hands back the tile's values. Means are exact whatever the chunking, since sums
/// and counts add up across regions. `mode` counts level-0 pixels into every level, per cell,
/// under the lock. Memory is the regions' reduced parts kept by open tiles (8 + 4 bytes a
/// cell); thread-safe, one lock per tile.
final class PyramidTiles: Sendable {
    /// One tile of one variable's level at one time step.
    struct Key: Hashable, Sendable {
        var variable: Int
        var level: Int
        var step: Int
        var tileY: Int
        var tileX: Int
    }

    private final class Tile: Sendable {
        struct State {
            /// The regions' reduced parts received so far (every method but `mode`), combined by
            /// the last contribution outside the lock.
            var parts: [Part] = []
            var remaining: Int
            /// `mode` only: per cell, the valid pixels and how often each valid value occurs
            /// (allocated on first use).
            var counts: [Int32] = []
            var histograms: [[Float: Int32]] = []
        }
        let state: Mutex<State>
        init(remaining: Int) { state = Mutex(State(remaining: remaining)) }
    }

    /// One region's reduced level, and the tile's cells it holds.
    private struct Part {
        var level: PyramidRegionLevel
        var rows: Range<Int>
        var columns: Range<Int>
    }

    let layout: PyramidLayout
    /// The cube's size in level-0 pixels.
    let width: Int
    let height: Int
    /// The task regions' size (chunks, or shards): how many regions reach a tile.
    let regionRows: Int
    let regionColumns: Int
    private let open = Mutex<[Key: Tile]>([:])

    /// Tiles for `layout` over a `width × height` cube computed in regions of
    /// `regionRows × regionColumns` pixels.
    init(layout: PyramidLayout, width: Int, height: Int, regionRows: Int, regionColumns: Int) {
        self.layout = layout
        self.width = width
        self.height = height
        self.regionRows = regionRows
        self.regionColumns = regionColumns
    }

    /// The tiles still waiting for contributions.
    var openCount: Int { open.withLock { $0.count } }

    /// Adds one task region's level-0 values (`plane`, row-major over `rows × columns`, NaN =
    /// missing) of `variable` at time `step` to every tile of every level it reaches.
    /// - Returns: the tiles this contribution finished, each as `tileY × tileX` values of its
    ///   level (NaN where no valid pixel, and beyond the level's edge).
    /// - Precondition: every task region contributes exactly once per variable and step.
    func add(variable: Int, step: Int, rows: Range<Int>, columns: Range<Int>, plane: [Float]) -> [(key: Key, values: [Float])] {
        precondition(plane.count == rows.count * columns.count, "a plane of \(plane.count) values for a \(rows.count) × \(columns.count) region")
        var finished: [(key: Key, values: [Float])] = []
        let method = layout.methods[variable]
        // This region's part of the current level (all methods but `mode`, which walks level 0).
        var reduced: PyramidRegionLevel?
        for (k, level) in layout.levels.enumerated() where k > 0 {
            if method != .mode {
                reduced = reduced?.halved(method) ?? PyramidRegionLevel(halving: plane, rows: rows, columns: columns, method: method)
            }
            let f = level.factor
            let firstTileY = rows.lowerBound / f / level.tileY, lastTileY = (rows.upperBound - 1) / f / level.tileY
            let firstTileX = columns.lowerBound / f / level.tileX, lastTileX = (columns.upperBound - 1) / f / level.tileX
            for ty in firstTileY...lastTileY {
                let tileRows = PyramidLayout.footprint(tile: ty, tileSize: level.tileY, factor: f, size: height)
                let r0 = Swift.max(tileRows.lowerBound, rows.lowerBound), r1 = Swift.min(tileRows.upperBound, rows.upperBound)
                guard r0 < r1 else { continue }
                for tx in firstTileX...lastTileX {
                    let tileColumns = PyramidLayout.footprint(tile: tx, tileSize: level.tileX, factor: f, size: width)
                    let c0 = Swift.max(tileColumns.lowerBound, columns.lowerBound), c1 = Swift.min(tileColumns.upperBound, columns.upperBound)
                    guard c0 < c1 else { continue }
                    let key = Key(variable: variable, level: k, step: step, tileY: ty, tileX: tx)
                    let tile = open.withLock { tiles -> Tile in
                        if let tile = tiles[key] { return tile }
                        let reaching = ((tileRows.upperBound - 1) / regionRows - tileRows.lowerBound / regionRows + 1)
                            * ((tileColumns.upperBound - 1) / regionColumns - tileColumns.lowerBound / regionColumns + 1)
                        let tile = Tile(remaining: reaching)
                        tiles[key] = tile
                        return tile
                    }
                    let tileOrigin = (y: ty * level.tileY, x: tx * level.tileX)
                    let cells = level.tileY * level.tileX
                    // Under the tile's lock only the hand-over: the regions' parts are combined
                    // by the last one, outside it (workers on neighbouring regions share tiles).
                    let done = tile.state.withLock { state -> Tile.State? in
                        if let reduced {
                            let cellRows = Swift.max(tileOrigin.y, reduced.rows.lowerBound)..<Swift.min(tileOrigin.y + level.tileY, reduced.rows.upperBound)
                            let cellColumns = Swift.max(tileOrigin.x, reduced.columns.lowerBound)..<Swift.min(tileOrigin.x + level.tileX, reduced.columns.upperBound)
                            state.parts.append(Part(level: reduced, rows: cellRows, columns: cellColumns))
                        } else {
                            if state.counts.isEmpty { state.counts = [Int32](repeating: 0, count: cells) }
                            PyramidTiles.accumulateMode(into: &state, plane: plane, width: columns.count, planeColumns: columns,
                                                        rowOrigin: rows.lowerBound, rows: r0..<r1, columns: c0..<c1, factor: f,
                                                        tileOrigin: tileOrigin, tileColumns: level.tileX)
                        }
                        state.remaining -= 1
                        precondition(state.remaining >= 0, "pyramid tile \(key) got more contributions than task regions reach it")
                        guard state.remaining == 0 else { return nil }
                        defer { state = Tile.State(remaining: 0) }
                        return state
                    }
                    if let done {
                        open.withLock { _ = $0.removeValue(forKey: key) }
                        finished.append((key, method == .mode ? PyramidTiles.modes(done) : PyramidTiles.combined(method, done.parts, cells: cells,
                                                                                                          tileOrigin: tileOrigin, tileColumns: level.tileX)))
                    }
                }
            }
        }
        return finished
    }

    /// `mode`: counts each valid value of a cell.
    private static func accumulateMode(into state: inout Tile.State, plane: [Float], width: Int, planeColumns: Range<Int>,
                                       rowOrigin: Int, rows: Range<Int>, columns: Range<Int>, factor f: Int,
                                       tileOrigin: (y: Int, x: Int), tileColumns: Int) {
        if state.histograms.isEmpty { state.histograms = Array(repeating: [:], count: state.counts.count) }
        for r in rows {
            let source = (r - rowOrigin) * width - planeColumns.lowerBound
            let cellRow = (r / f - tileOrigin.y) * tileColumns - tileOrigin.x
            for c in columns {
                let v = plane[source + c]
                guard !v.isNaN else { continue }
                let cell = cellRow + c / f
                state.histograms[cell][v, default: 0] += 1
                state.counts[cell] += 1
            }
        }
    }

    /// `mode`: the most frequent valid value of each cell; ties go to the smallest (as scipy.stats.mode).
    private static func modes(_ state: Tile.State) -> [Float] {
        state.counts.indices.map { cell in
            guard state.counts[cell] > 0 else { return .nan }
            return state.histograms[cell].min { a, b in a.value != b.value ? a.value > b.value : a.key < b.key }!.key
        }
    }

    /// Every other method: the regions' parts combined (in the order they arrived: sums of
    /// `Double` parts are exact, extremes and `first` do not depend on it), then per cell the
    /// method's value, NaN where no valid pixel.
    private static func combined(_ method: PyramidMethod, _ parts: [Part], cells: Int, tileOrigin: (y: Int, x: Int),
                                 tileColumns: Int) -> [Float] {
        var values = [Double](repeating: 0, count: cells), counts = [Int32](repeating: 0, count: cells)
        values.withUnsafeMutableBufferPointer { values in
            counts.withUnsafeMutableBufferPointer { counts in
                for part in parts {
                    part.level.combine(method, rows: part.rows, columns: part.columns, into: values.baseAddress!, counts.baseAddress!,
                                       tileOrigin: tileOrigin, tileColumns: tileColumns)
                }
            }
        }
        let mean = method == .mean
        return [Float](unsafeUninitializedCapacity: cells) { out, initialized in
            for cell in 0..<cells {
                let count = counts[cell], value = values[cell]
                out[cell] = count == 0 ? .nan : Float(mean ? value / Double(count) : value)
            }
            initialized = cells
        }
    }
}
