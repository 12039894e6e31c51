import CubeResampling

/// How many of a task's remaining reads need the resampling weights of each (method, grid) pair,
/// so the weights are dropped after their last use instead of living until the task ends.
struct WeightUses {
    private struct Key: Hashable {
        var method: ResamplingMethod
        var grid: Int
    }

    private var remaining: [Key: Int] = [:]

    /// Counts the uses of `reads`, one (method, grid) pair per read.
    init(_ reads: [(ResamplingMethod, Int)]) {
        for (method, grid) in reads { remaining[Key(method: method, grid: grid), default: 0] += 1 }
    }

    /// Records one use; returns whether it was the last.
    mutating func release(_ method: ResamplingMethod, _ grid: Int) -> Bool {
        let key = Key(method: method, grid: grid)
        let left = (remaining[key] ?? 1) - 1
        remaining[key] = left
        return left <= 0
    }
}
