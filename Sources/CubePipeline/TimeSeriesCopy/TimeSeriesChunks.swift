import Synchronization

/// Gathers the chunks of the time-series copy (long in time, small in space) from the planes
/// chunk tasks produce (one time step of one task region at a time).
///
/// A copy chunk spans many tasks' time blocks; it keeps its values and the number of
/// (task region, step) planes still to come, and the last one finishes it. Task regions run time
/// block by time block, so the chunks of up to `time` steps of the whole grid are open at once:
/// `openBytes(…)` says how much, and the writer refuses a copy that would not fit its budget.
final class TimeSeriesChunks: Sendable {
    /// One copy chunk of one variable.
    struct Key: Hashable, Sendable {
        var variable: Int
        var t: Int
        var y: Int
        var x: Int
    }

    private final class Chunk: Sendable {
        struct State {
            var values: [Float]
            var remaining: Int
        }
        let state: Mutex<State>
        init(cells: Int, remaining: Int) { state = Mutex(State(values: [Float](repeating: .nan, count: cells), remaining: remaining)) }
    }

    /// The copy's chunk shape (time, y, x).
    let shape: (time: Int, y: Int, x: Int)
    let steps: Int
    let width: Int
    let height: Int
    let regionRows: Int
    let regionColumns: Int
    private let open = Mutex<[Key: Chunk]>([:])

    init(shape: (time: Int, y: Int, x: Int), steps: Int, width: Int, height: Int, regionRows: Int, regionColumns: Int) {
        self.shape = shape
        self.steps = steps
        self.width = width
        self.height = height
        self.regionRows = regionRows
        self.regionColumns = regionColumns
    }

    /// The most bytes open chunks hold at once for `variables` variables: a whole time chunk of
    /// the grid (chunks padded at the edges).
    static func openBytes(shape: (time: Int, y: Int, x: Int), width: Int, height: Int, variables: Int) -> Int {
        let rows = (height + shape.y - 1) / shape.y * shape.y, columns = (width + shape.x - 1) / shape.x * shape.x
        return shape.time * rows * columns * variables * MemoryLayout<Float>.size
    }

    var openCount: Int { open.withLock { $0.count } }

    /// Adds one step of one task region; returns the chunks this finished (`time × y × x` values,
    /// NaN beyond the array's edges).
    func add(variable: Int, step: Int, rows: Range<Int>, columns: Range<Int>, plane: [Float]) -> [(key: Key, values: [Float])] {
        precondition(plane.count == rows.count * columns.count, "a plane of \(plane.count) values for a \(rows.count) × \(columns.count) region")
        var finished: [(key: Key, values: [Float])] = []
        let t = step / shape.time, k = step % shape.time
        for cy in (rows.lowerBound / shape.y)...((rows.upperBound - 1) / shape.y) {
            let chunkRows = (cy * shape.y)..<min((cy + 1) * shape.y, height)
            let r0 = max(chunkRows.lowerBound, rows.lowerBound), r1 = min(chunkRows.upperBound, rows.upperBound)
            for cx in (columns.lowerBound / shape.x)...((columns.upperBound - 1) / shape.x) {
                let chunkColumns = (cx * shape.x)..<min((cx + 1) * shape.x, width)
                let c0 = max(chunkColumns.lowerBound, columns.lowerBound), c1 = min(chunkColumns.upperBound, columns.upperBound)
                let key = Key(variable: variable, t: t, y: cy, x: cx)
                let chunk = open.withLock { chunks -> Chunk in
                    if let chunk = chunks[key] { return chunk }
                    let stepsIn = min(steps, (t + 1) * shape.time) - t * shape.time
                    let regions = ((chunkRows.upperBound - 1) / regionRows - chunkRows.lowerBound / regionRows + 1)
                        * ((chunkColumns.upperBound - 1) / regionColumns - chunkColumns.lowerBound / regionColumns + 1)
                    let chunk = Chunk(cells: shape.time * shape.y * shape.x, remaining: stepsIn * regions)
                    chunks[key] = chunk
                    return chunk
                }
                let done = chunk.state.withLock { state -> [Float]? in
                    for r in r0..<r1 {
                        let source = (r - rows.lowerBound) * columns.count - columns.lowerBound
                        let target = (k * shape.y + r - cy * shape.y) * shape.x - cx * shape.x
                        for c in c0..<c1 { state.values[target + c] = plane[source + c] }
                    }
                    state.remaining -= 1
                    precondition(state.remaining >= 0, "time-series chunk \(key) got more planes than task regions reach it")
                    return state.remaining == 0 ? state.values : nil
                }
                if let done {
                    open.withLock { _ = $0.removeValue(forKey: key) }
                    finished.append((key, done))
                }
            }
        }
        return finished
    }
}
