/// Some of a cell grid's cells: the ones a regional target can reach, read instead of the whole
/// field (an H1024 field of Europe needs about a twentieth of its 12.6 million cells).
///
/// Held as ascending, disjoint runs of cell indices; a read of the subset returns the values of
/// those cells in that order, so cell `runs[0].lowerBound` is value 0. Nested HEALPix numbering
/// keeps a region in few runs; a reduced Gaussian band of rows is one.
public struct CellSubset: Sendable, Equatable {
    /// The runs of cell indices, ascending, neither overlapping nor touching.
    public let runs: [Range<Int>]
    /// Position in the subset's values of each run's first cell.
    private let firsts: [Int]
    /// The number of cells in the subset.
    public let count: Int

    /// The subset of `cells` (ascending, duplicates allowed), merged into runs.
    public init(sortedCells cells: [Int]) {
        var runs: [Range<Int>] = []
        var start = -1, end = -1
        for cell in cells {
            if cell < end { continue }
            if cell == end {
                end += 1
                continue
            }
            if end > start { runs.append(start..<end) }
            start = cell
            end = cell + 1
        }
        if end > start, start >= 0 { runs.append(start..<end) }
        self.init(runs: runs)
    }

    /// The subset made of `runs` (ascending, disjoint).
    /// - Precondition: the runs are ascending and do not overlap.
    public init(runs: [Range<Int>]) {
        var merged: [Range<Int>] = []
        for run in runs where !run.isEmpty {
            if let last = merged.last {
                precondition(run.lowerBound >= last.upperBound, "cell runs out of order: \(last) then \(run)")
                if run.lowerBound == last.upperBound {
                    merged[merged.count - 1] = last.lowerBound..<run.upperBound
                    continue
                }
            }
            merged.append(run)
        }
        self.runs = merged
        var firsts: [Int] = []
        firsts.reserveCapacity(merged.count)
        var total = 0
        for run in merged {
            firsts.append(total)
            total += run.count
        }
        self.firsts = firsts
        count = total
    }

    /// The position of `cell` in the subset's values, `nil` when the subset lacks it.
    public func position(of cell: Int) -> Int? {
        // The last run starting at or before `cell`.
        var low = 0, high = runs.count
        while low < high {
            let middle = (low + high) / 2
            if runs[middle].lowerBound <= cell { low = middle + 1 } else { high = middle }
        }
        guard low > 0, runs[low - 1].contains(cell) else { return nil }
        return firsts[low - 1] + (cell - runs[low - 1].lowerBound)
    }

    /// The values of the subset's cells taken from a whole field (`values[cell]`).
    /// - Precondition: `values` holds every cell of the subset.
    public func gather(from values: UnsafeBufferPointer<Float>) -> [Float] {
        precondition((runs.last?.upperBound ?? 0) <= values.count, "a field of \(values.count) cells lacks the subset's cells")
        return [Float](unsafeUninitializedCapacity: count) { out, initialized in
            var next = 0
            for run in runs {
                _ = UnsafeMutableBufferPointer(rebasing: out[next..<(next + run.count)])
                    .initialize(from: UnsafeBufferPointer(rebasing: values[run]))
                next += run.count
            }
            initialized = count
        }
    }
}

/// A reader of cell-grid datasets that can read just a subset of the cells (`CellSubset`)
/// without decoding the rest.
///
/// ## Implementation guidance
/// - Values are those `read(_:timeIndex:window:)` gives for the whole grid, at the subset's cells,
///   in subset order.
public protocol CellSubsetReader: DatasetReader {
    /// Reads one time step of `variable` at the cells of `cells`.
    /// - Throws: `CubeError` naming the file and variable when the read fails.
    func read(_ variable: String, timeIndex: Int, cells: CellSubset) async throws -> [Float]
}
