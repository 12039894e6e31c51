import Synchronization

/// Gathers the chunks of the time-series copy (long in time, small in space) from the planes
/// chunk tasks produce (one time step of one task region at a time).
///
/// A copy chunk spans the time blocks of several tasks (the cube's chunks are short in time).
/// It is gathered in *parts*, one per task time block it spans: a part holds the chunk's steps
/// of that block and counts the (task region, step) planes still to come. A finished part that
/// is not its chunk's last is appended to a `SpillFile` and dropped from memory; the chunk's
/// last part reads the others back and hands out the whole chunk. Tasks run time block by time
/// block, so at most about one time block of the grid is held at once (`openBytes`), not a
/// whole time chunk of it; a copy whose chunks fit in one block never touches the spill file.
final class TimeSeriesChunks: Sendable {
    /// One copy chunk of one variable.
    struct Key: Hashable, Sendable {
        var variable: Int
        var t: Int
        var y: Int
        var x: Int
    }

    /// One time block's steps of one chunk.
    private struct PartKey: Hashable {
        var chunk: Key
        var block: Int
    }

    private final class Part: Sendable {
        struct State {
            var values: [Float]
            var remaining: Int
        }
        /// The chunk's steps (0-based within the chunk) this part holds.
        let steps: Range<Int>
        let state: Mutex<State>
        init(steps: Range<Int>, cells: Int, remaining: Int) {
            self.steps = steps
            state = Mutex(State(values: [Float](repeating: .nan, count: steps.count * cells), remaining: remaining))
        }
    }

    /// The parts of a chunk finished so far and spilled, and how many are still to finish.
    private final class Spilled: Sendable {
        struct State {
            var parts: [(steps: Range<Int>, extent: SpillFile.Extent)] = []
            var remaining: Int
        }
        let state: Mutex<State>
        init(parts: Int) { state = Mutex(State(remaining: parts)) }
    }

    /// The copy's chunk shape (time, y, x).
    let shape: (time: Int, y: Int, x: Int)
    let steps: Int
    let width: Int
    let height: Int
    let regionRows: Int
    let regionColumns: Int
    /// Steps per task time block.
    let blockSteps: Int
    private let spill: SpillFile?
    private let open = Mutex<[PartKey: Part]>([:])
    private let chunks = Mutex<[Key: Spilled]>([:])

    /// Chunks of `shape` over `steps × height × width`, fed by task regions of
    /// `blockSteps × regionRows × regionColumns`.
    /// - Throws: `CubeError` when a spill file is needed and cannot be created.
    init(shape: (time: Int, y: Int, x: Int), steps: Int, width: Int, height: Int, regionRows: Int, regionColumns: Int,
         blockSteps: Int) throws {
        self.shape = shape
        self.steps = steps
        self.width = width
        self.height = height
        self.regionRows = regionRows
        self.regionColumns = regionColumns
        let block = max(1, blockSteps)
        self.blockSteps = block
        let chunksT = (steps + shape.time - 1) / shape.time
        let split = (0..<chunksT).contains { t in t * shape.time / block != (min(steps, (t + 1) * shape.time) - 1) / block }
        spill = split ? try SpillFile() : nil
    }

    /// The most bytes open parts hold at once for `variables` variables: one part (at most a
    /// task time block of a copy chunk's steps) for every chunk of the grid, padded at the edges.
    static func openBytes(shape: (time: Int, y: Int, x: Int), blockSteps: Int, width: Int, height: Int, variables: Int) -> Int {
        let rows = (height + shape.y - 1) / shape.y * shape.y, columns = (width + shape.x - 1) / shape.x * shape.x
        return min(shape.time, max(1, blockSteps)) * rows * columns * variables * MemoryLayout<Float>.size
    }

    /// Parts and chunks not finished yet.
    var openCount: Int { open.withLock { $0.count } + chunks.withLock { $0.count } }

    /// Bytes appended to the spill file so far.
    var spilledBytes: Int { spill?.size ?? 0 }

    /// Adds one step of one task region; returns the chunks this finished (`time × y × x` values,
    /// NaN beyond the array's edges).
    /// - Throws: `CubeError` when the spill file cannot be written or read.
    func add(variable: Int, step: Int, rows: Range<Int>, columns: Range<Int>, plane: [Float]) throws -> [(key: Key, values: [Float])] {
        precondition(plane.count == rows.count * columns.count, "a plane of \(plane.count) values for a \(rows.count) × \(columns.count) region")
        var finished: [(key: Key, values: [Float])] = []
        let t = step / shape.time, k = step % shape.time, block = step / blockSteps
        let chunkStart = t * shape.time, chunkEnd = min(steps, (t + 1) * shape.time)
        let partSteps = (max(chunkStart, block * blockSteps) - chunkStart)..<(min(chunkEnd, (block + 1) * blockSteps) - chunkStart)
        let cells = shape.y * shape.x
        for cy in (rows.lowerBound / shape.y)...((rows.upperBound - 1) / shape.y) {
            let chunkRows = (cy * shape.y)..<min((cy + 1) * shape.y, height)
            let r0 = max(chunkRows.lowerBound, rows.lowerBound), r1 = min(chunkRows.upperBound, rows.upperBound)
            for cx in (columns.lowerBound / shape.x)...((columns.upperBound - 1) / shape.x) {
                let chunkColumns = (cx * shape.x)..<min((cx + 1) * shape.x, width)
                let c0 = max(chunkColumns.lowerBound, columns.lowerBound), c1 = min(chunkColumns.upperBound, columns.upperBound)
                let key = Key(variable: variable, t: t, y: cy, x: cx)
                let partKey = PartKey(chunk: key, block: block)
                let part = open.withLock { parts -> Part in
                    if let part = parts[partKey] { return part }
                    let regions = ((chunkRows.upperBound - 1) / regionRows - chunkRows.lowerBound / regionRows + 1)
                        * ((chunkColumns.upperBound - 1) / regionColumns - chunkColumns.lowerBound / regionColumns + 1)
                    let part = Part(steps: partSteps, cells: cells, remaining: partSteps.count * regions)
                    parts[partKey] = part
                    return part
                }
                let done = part.state.withLock { state -> [Float]? in
                    state.values.withUnsafeMutableBufferPointer { target in
                        plane.withUnsafeBufferPointer { source in
                            for r in r0..<r1 {
                                let from = (r - rows.lowerBound) * columns.count + (c0 - columns.lowerBound)
                                let to = ((k - partSteps.lowerBound) * shape.y + r - cy * shape.y) * shape.x + (c0 - cx * shape.x)
                                (target.baseAddress! + to).update(from: source.baseAddress! + from, count: c1 - c0)
                            }
                        }
                    }
                    state.remaining -= 1
                    precondition(state.remaining >= 0, "time-series chunk \(key) got more planes than task regions reach it")
                    return state.remaining == 0 ? state.values : nil
                }
                guard let done else { continue }
                open.withLock { _ = $0.removeValue(forKey: partKey) }
                if let values = try finish(part: done, steps: partSteps, of: key, chunkSteps: chunkStart..<chunkEnd) {
                    finished.append((key, values))
                }
            }
        }
        return finished
    }

    /// A finished part: the whole chunk when it was the chunk's last part (the others read back
    /// from the spill file), else `nil` after spilling it.
    private func finish(part values: [Float], steps partSteps: Range<Int>, of key: Key, chunkSteps: Range<Int>) throws -> [Float]? {
        let cells = shape.y * shape.x
        let parts = (chunkSteps.upperBound - 1) / blockSteps - chunkSteps.lowerBound / blockSteps + 1
        if parts == 1 && partSteps.count == shape.time { return values }
        let record = chunks.withLock { chunks -> Spilled in
            if let record = chunks[key] { return record }
            let record = Spilled(parts: parts)
            chunks[key] = record
            return record
        }
        // The spill write happens under the chunk's lock, so the last part sees every other one written.
        let outcome = record.state.withLock { state -> Result<[(steps: Range<Int>, extent: SpillFile.Extent)]?, any Error> in
            state.remaining -= 1
            if state.remaining == 0 { return .success(state.parts) }
            do {
                let extent = try values.withUnsafeBufferPointer { try spill!.append($0) }
                state.parts.append((partSteps, extent))
                return .success(nil)
            } catch {
                return .failure(error)
            }
        }
        let earlier = try outcome.get()
        guard let earlier else { return nil }
        chunks.withLock { _ = $0.removeValue(forKey: key) }
        var chunk = [Float](repeating: .nan, count: shape.time * cells)
        try chunk.withUnsafeMutableBufferPointer { chunk in
            _ = UnsafeMutableBufferPointer(rebasing: chunk[(partSteps.lowerBound * cells)..<(partSteps.upperBound * cells)]).update(from: values)
            for (steps, extent) in earlier {
                try spill!.read(extent, into: UnsafeMutableBufferPointer(rebasing: chunk[(steps.lowerBound * cells)..<(steps.upperBound * cells)]))
                spill!.release(extent)
            }
        }
        return chunk
    }
}
