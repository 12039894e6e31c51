import CubeCore
import CubeRecipe

/// A sample's split.
public enum SampleSplit: String, Sendable, CaseIterable {
    /// Training.
    case train
    /// Validation.
    case val
    /// Test.
    case test
}

/// How candidate patches become train, validation and test samples without leakage.
///
/// `blocks`: the cube is cut into blocks of `split.block` (time, y, x); the blocks are shuffled with
/// the seed (SplitMix64, Fisher–Yates) and the first `round(n × train)` go to train, the next
/// `round(n × val)` to val, the rest to test. `time`: blocks of `split.block.time` steps over the
/// whole area, in time order (train first). A patch belongs to the split of the blocks its whole
/// footprint lies in; one that straddles blocks of two splits is rejected (`straddles`), and so is
/// one whose footprint grown by `buffer` touches a block of another split (`buffer`) — so no pixel of
/// a sample lies within `buffer` of a pixel of another split's sample. `random`: each patch drawn
/// independently from the seed (leaks; for comparison only).
struct SplitAssignment: Sendable {
    let method: SamplingSection.SplitMethod
    let block: SamplingShape
    let counts: SamplingShape
    /// The split of each block, in (time, y, x) C order.
    let blockSplits: [SampleSplit]
    private let buffer: SamplingShape
    private let fractions: (train: Double, val: Double)
    private let seed: UInt64
    private let shape: SamplingShape

    /// Why a candidate patch was not kept.
    enum Rejection: String, CaseIterable, Error {
        case straddles, buffer
        case invalidInputs = "invalid_inputs", invalidTargets = "invalid_targets"
    }

    /// - Throws: `CubeError` (`.invalidRecipe`) for a block smaller than the patch or a split that
    ///   would get no block although its fraction is not 0.
    init(_ section: SamplingSection, shape: SamplingShape) throws {
        let split = section.split, patch = section.patch
        method = split.method
        self.shape = shape
        buffer = SamplingShape(time: split.buffer.time, y: split.buffer.y, x: split.buffer.x)
        fractions = (split.train, split.val)
        seed = section.seed
        switch split.method {
        case .random:
            block = shape
        case .time:
            block = SamplingShape(time: split.block!.time, y: shape.y, x: shape.x)
        case .blocks:
            block = SamplingShape(time: split.block!.time, y: split.block!.y, x: split.block!.x)
        }
        if split.method != .random {
            for (axis, b, p) in [("time", block.time, patch.time), ("y", block.y, patch.y), ("x", block.x, patch.x)] where b < p {
                throw CubeError(.invalidRecipe, "ml.split.block.\(axis) (\(b)) is smaller than ml.patch.\(axis) (\(p)): every patch would straddle blocks")
            }
        }
        counts = SamplingShape(time: (shape.time + block.time - 1) / block.time, y: (shape.y + block.y - 1) / block.y,
                               x: (shape.x + block.x - 1) / block.x)
        let n = counts.time * counts.y * counts.x
        var order = Array(0..<n)
        if split.method == .blocks {
            var random = SplitMix64(seed: section.seed)
            for i in stride(from: n - 1, to: 0, by: -1) {
                let j = Int(random.next() % UInt64(i + 1))
                order.swapAt(i, j)
            }
        }
        let train = Int((Double(n) * split.train).rounded()), val = Int((Double(n) * split.val).rounded())
        var splits = [SampleSplit](repeating: .test, count: n)
        for (rank, index) in order.enumerated() { splits[index] = rank < train ? .train : rank < train + val ? .val : .test }
        blockSplits = splits
        if split.method != .random {
            for (name, fraction, count) in [("train", split.train, train), ("val", split.val, val), ("test", split.test, n - train - val)]
            where fraction > 0 && count <= 0 {
                throw CubeError(.invalidRecipe,
                    "ml.split: split '\(name)' would be empty: \(n) blocks of \(block.time) × \(block.y) × \(block.x) and fraction \(fraction) give it none; use smaller blocks")
            }
        }
    }

    /// The block index (time, y, x) holding pixel (t, y, x).
    func block(t: Int, y: Int, x: Int) -> [Int] { [t / block.time, y / block.y, x / block.x] }

    /// The split of the patch at (t0, y0, x0) of size `patch`, or why it is rejected.
    func classify(t0: Int, y0: Int, x0: Int, patch: SamplingShape) -> Result<SampleSplit, Rejection> {
        if method == .random {
            var random = SplitMix64(seed: seed ^ (UInt64(t0) &* 0x9E37_79B9) ^ (UInt64(y0) << 21) ^ (UInt64(x0) << 42))
            let u = Double(random.next() >> 11) / Double(1 << 53)
            return .success(u < fractions.train ? .train : u < fractions.train + fractions.val ? .val : .test)
        }
        let inside = splits(t: t0..<(t0 + patch.time), y: y0..<(y0 + patch.y), x: x0..<(x0 + patch.x))
        guard inside.count == 1, let split = inside.first else { return .failure(.straddles) }
        let grown = splits(t: max(0, t0 - buffer.time)..<min(shape.time, t0 + patch.time + buffer.time),
                           y: max(0, y0 - buffer.y)..<min(shape.y, y0 + patch.y + buffer.y),
                           x: max(0, x0 - buffer.x)..<min(shape.x, x0 + patch.x + buffer.x))
        return grown.count == 1 ? .success(split) : .failure(.buffer)
    }

    /// The splits of the blocks a pixel range touches.
    private func splits(t: Range<Int>, y: Range<Int>, x: Range<Int>) -> Set<SampleSplit> {
        var result = Set<SampleSplit>()
        for bt in (t.lowerBound / block.time)...((t.upperBound - 1) / block.time) {
            for by in (y.lowerBound / block.y)...((y.upperBound - 1) / block.y) {
                for bx in (x.lowerBound / block.x)...((x.upperBound - 1) / block.x) {
                    result.insert(blockSplits[(bt * counts.y + by) * counts.x + bx])
                }
            }
        }
        return result
    }

    /// The block splits as one letter each (`t`, `v`, `s`), for the manifest.
    var letters: String { String(blockSplits.map { $0 == .train ? "t" : $0 == .val ? "v" : "s" }) }
}

/// SplitMix64: the same sequence for a seed on every platform.
struct SplitMix64: RandomNumberGenerator {
    private var state: UInt64
    init(seed: UInt64) { state = seed }
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}
