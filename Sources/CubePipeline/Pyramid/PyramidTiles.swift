import Synchronization

/// Builds the tiles of pyramid levels 1 and up from level-0 planes as chunk tasks produce them.
///
/// A level tile covers `tile × 2^k` level-0 pixels a side, usually parts of several tasks'
/// regions. Each tile keeps per-cell running state (sum and count for `mean`, the running
/// extreme for `min`/`max`, the top-left pixel for `first`, value counts for `mode`) and the number of task regions that
/// still have to contribute; the last contribution finishes it and hands back its values. Means
/// are exact whatever the chunking, since sums and counts add up across regions. A region's
/// pixels are reduced level by level first (`PyramidRegionLevel`), so each is read once
/// whatever the number of levels; `mode` counts level-0 pixels into every level. Memory is the
/// tiles open at once (8 + 4 bytes a cell); thread-safe, one lock per tile.
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
            var values: [Double]
            var counts: [Int32]
            var remaining: Int
            /// `mode` only: per cell, how often each valid value occurs (allocated on first use).
            var histograms: [[Float: Int32]] = []
        }
        let state: Mutex<State>
        init(cells: Int, remaining: Int) {
            state = Mutex(State(values: [Double](repeating: 0, count: cells), counts: [Int32](repeating: 0, count: cells), remaining: remaining))
        }
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
                        let tile = Tile(cells: level.tileY * level.tileX, remaining: reaching)
                        tiles[key] = tile
                        return tile
                    }
                    let tileOrigin = (y: ty * level.tileY, x: tx * level.tileX)
                    let done = tile.state.withLock { state -> [Float]? in
                        if let reduced {
                            let cellRows = Swift.max(tileOrigin.y, reduced.rows.lowerBound)..<Swift.min(tileOrigin.y + level.tileY, reduced.rows.upperBound)
                            let cellColumns = Swift.max(tileOrigin.x, reduced.columns.lowerBound)..<Swift.min(tileOrigin.x + level.tileX, reduced.columns.upperBound)
                            state.values.withUnsafeMutableBufferPointer { values in
                                state.counts.withUnsafeMutableBufferPointer { counts in
                                    reduced.combine(method, rows: cellRows, columns: cellColumns, into: values.baseAddress!, counts.baseAddress!,
                                                    tileOrigin: tileOrigin, tileColumns: level.tileX)
                                }
                            }
                        } else {
                            PyramidTiles.accumulateMode(into: &state, plane: plane, width: columns.count, planeColumns: columns,
                                                        rowOrigin: rows.lowerBound, rows: r0..<r1, columns: c0..<c1, factor: f,
                                                        tileOrigin: tileOrigin, tileColumns: level.tileX)
                        }
                        state.remaining -= 1
                        precondition(state.remaining >= 0, "pyramid tile \(key) got more contributions than task regions reach it")
                        guard state.remaining == 0 else { return nil }
                        return values(method, state)
                    }
                    if let done {
                        open.withLock { _ = $0.removeValue(forKey: key) }
                        finished.append((key, done))
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

    private func values(_ method: PyramidMethod, _ state: Tile.State) -> [Float] {
        if method == .mode {
            // The most frequent valid value; ties go to the smallest (as scipy.stats.mode).
            return state.counts.indices.map { cell in
                guard state.counts[cell] > 0 else { return .nan }
                return state.histograms[cell].min { a, b in a.value != b.value ? a.value > b.value : a.key < b.key }!.key
            }
        }
        let mean = method == .mean
        return [Float](unsafeUninitializedCapacity: state.counts.count) { out, initialized in
            state.values.withUnsafeBufferPointer { values in
                state.counts.withUnsafeBufferPointer { counts in
                    for cell in 0..<counts.count {
                        let count = counts[cell], value = values[cell]
                        out[cell] = count == 0 ? .nan : Float(mean ? value / Double(count) : value)
                    }
                }
            }
            initialized = state.counts.count
        }
    }
}
