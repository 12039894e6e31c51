import Synchronization

/// Builds the tiles of pyramid levels 1 and up from level-0 planes as chunk tasks produce them.
///
/// A level tile covers `tile × 2^k` level-0 pixels a side, usually parts of several tasks'
/// regions. Each tile keeps per-cell running state (sum and count for `mean`, the running
/// extreme for `min`/`max`, the top-left pixel for `first`, value counts for `mode`) and the number of task regions that
/// still have to contribute; the last contribution finishes it and hands back its values. Means
/// are exact whatever the chunking, since sums and counts add up across regions. Memory is the
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
        for (k, level) in layout.levels.enumerated() where k > 0 {
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
                    let done = tile.state.withLock { state -> [Float]? in
                        accumulate(method, into: &state, plane: plane, planeColumns: columns, rowOrigin: rows.lowerBound,
                                   rows: r0..<r1, columns: c0..<c1, factor: f, tileOrigin: (ty * level.tileY, tx * level.tileX),
                                   tileColumns: level.tileX)
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

    /// Adds the valid pixels of `rows × columns` (level-0 indices) of `plane` to the tile's cells.
    /// One loop per method (no per-pixel dispatch); cells are found with shifts (`factor` is a
    /// power of two). Sums add in the same order as a pixel-by-pixel walk, so means do not
    /// depend on this form.
    private func accumulate(_ method: PyramidMethod, into state: inout Tile.State, plane: [Float], planeColumns: Range<Int>,
                            rowOrigin: Int, rows: Range<Int>, columns: Range<Int>, factor f: Int, tileOrigin: (y: Int, x: Int),
                            tileColumns: Int) {
        precondition(f > 0 && f & (f - 1) == 0, "pyramid factor \(f) is not a power of two")
        let shift = f.trailingZeroBitCount
        let width = planeColumns.count
        if method == .mode {
            PyramidTiles.accumulateMode(into: &state, plane: plane, width: width, planeColumns: planeColumns, rowOrigin: rowOrigin,
                                        rows: rows, columns: columns, factor: f, tileOrigin: tileOrigin, tileColumns: tileColumns)
            return
        }
        let c0 = columns.lowerBound, c1 = columns.upperBound
        plane.withUnsafeBufferPointer { plane in
            state.values.withUnsafeMutableBufferPointer { values in
                state.counts.withUnsafeMutableBufferPointer { counts in
                    let plane = plane.baseAddress!, values = values.baseAddress!, counts = counts.baseAddress!
                    for r in rows {
                        if method == .first && r & (f - 1) != 0 { continue }
                        let source = plane + ((r - rowOrigin) * width - planeColumns.lowerBound)
                        let cellRow = ((r >> shift) - tileOrigin.y) * tileColumns - tileOrigin.x
                        switch method {
                        case .mean:
                            for c in c0..<c1 {
                                let v = source[c]
                                if v.isNaN { continue }
                                let cell = cellRow + (c >> shift)
                                values[cell] += Double(v)
                                counts[cell] += 1
                            }
                        case .first:
                            var c = (c0 + f - 1) & ~(f - 1)
                            while c < c1 {
                                let v = source[c]
                                if !v.isNaN {
                                    let cell = cellRow + (c >> shift)
                                    values[cell] = Double(v)
                                    counts[cell] += 1
                                }
                                c += f
                            }
                        case .min:
                            for c in c0..<c1 {
                                let v = source[c]
                                if v.isNaN { continue }
                                let cell = cellRow + (c >> shift)
                                values[cell] = counts[cell] == 0 ? Double(v) : Swift.min(values[cell], Double(v))
                                counts[cell] += 1
                            }
                        case .max:
                            for c in c0..<c1 {
                                let v = source[c]
                                if v.isNaN { continue }
                                let cell = cellRow + (c >> shift)
                                values[cell] = counts[cell] == 0 ? Double(v) : Swift.max(values[cell], Double(v))
                                counts[cell] += 1
                            }
                        case .mode:
                            break  // accumulateMode
                        }
                    }
                }
            }
        }
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
        return zip(state.values, state.counts).map { value, count in
            count == 0 ? .nan : Float(method == .mean ? value / Double(count) : value)
        }
    }
}
