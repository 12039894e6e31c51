/// A temporal aggregation method, named as in recipes.
public enum TemporalAggregation: String, Sendable, CaseIterable, Hashable {
    /// Mean of the valid values.
    case mean
    /// Smallest valid value.
    case min
    /// Largest valid value.
    case max
    /// Sum of the valid values.
    case sum
    /// Number of valid values.
    case count
    /// Median of the valid values (mean of the two middle ones for an even count).
    case median
    /// Population standard deviation (ddof = 0, as xarray's default) of the valid values.
    case std
    /// First valid value in time order.
    case first
    /// Last valid value in time order.
    case last

    /// The CF `cell_methods` entry for time.
    public var cellMethod: String {
        switch self {
        case .mean, .sum, .median: return "time: \(rawValue)"
        case .min: return "time: minimum"
        case .max: return "time: maximum"
        case .std: return "time: standard_deviation"
        case .count: return "time: sum (comment: number of valid values)"
        case .first: return "time: point (comment: first valid value of the period)"
        case .last: return "time: point (comment: last valid value of the period)"
        }
    }
}

/// Accumulates the planes of one period, pixel by pixel, and produces the aggregate: NaN values
/// are left out; a pixel with fewer than `minCount` valid values is NaN, except for `count`, which
/// is always the number of valid values (0 included).
///
/// Holds one plane's worth of running state (all planes of the period for `median`), so memory
/// is bounded by the period, not by the time series.
public struct TemporalAccumulator {
    /// The method.
    public let method: TemporalAggregation
    /// Pixels per plane.
    public let cells: Int
    private var counts: [Int32]
    private var sums: [Double] = []
    private var squares: [Double] = []
    private var extremes: [Float] = []
    private var planes: [[Float]] = []

    /// Creates an empty accumulator for planes of `cells` pixels.
    public init(_ method: TemporalAggregation, cells: Int) {
        self.method = method
        self.cells = cells
        counts = [Int32](repeating: 0, count: cells)
        reset()
    }

    /// Forgets everything added.
    public mutating func reset() {
        for k in counts.indices { counts[k] = 0 }
        switch method {
        case .mean, .sum, .count: sums = [Double](repeating: 0, count: cells)
        case .std:
            sums = [Double](repeating: 0, count: cells)
            squares = [Double](repeating: 0, count: cells)
        case .min, .max, .first, .last: extremes = [Float](repeating: .nan, count: cells)
        case .median: planes.removeAll(keepingCapacity: true)
        }
    }

    /// Adds the next plane of the period (time order matters for `first` and `last`).
    public mutating func add(_ plane: UnsafeBufferPointer<Float>) {
        precondition(plane.count >= cells, "plane smaller than the accumulator")
        if method == .median { planes.append(Array(plane.prefix(cells))) }
        for k in 0..<cells {
            let v = plane[k]
            guard !v.isNaN else { continue }
            counts[k] += 1
            switch method {
            case .mean, .sum: sums[k] += Double(v)
            case .std:
                sums[k] += Double(v)
                squares[k] += Double(v) * Double(v)
            case .min: if extremes[k].isNaN || v < extremes[k] { extremes[k] = v }
            case .max: if extremes[k].isNaN || v > extremes[k] { extremes[k] = v }
            case .first: if extremes[k].isNaN { extremes[k] = v }
            case .last: extremes[k] = v
            case .count, .median: break
            }
        }
    }

    /// Writes the aggregate of everything added.
    public func finish(minCount: Int, into output: UnsafeMutableBufferPointer<Float>) {
        precondition(output.count >= cells, "output smaller than the accumulator")
        var scratch: [Float] = []
        for k in 0..<cells {
            let n = Int(counts[k])
            if method != .count && n < max(1, minCount) {
                output[k] = .nan
                continue
            }
            switch method {
            case .mean: output[k] = Float(sums[k] / Double(n))
            case .sum: output[k] = Float(sums[k])
            case .count: output[k] = Float(n)
            case .std:
                let mean = sums[k] / Double(n)
                output[k] = Float(Swift.max(0, squares[k] / Double(n) - mean * mean).squareRoot())
            case .min, .max, .first, .last: output[k] = extremes[k]
            case .median:
                scratch.removeAll(keepingCapacity: true)
                for plane in planes where !plane[k].isNaN { scratch.append(plane[k]) }
                scratch.sort()
                let m = scratch.count / 2
                output[k] = scratch.count % 2 == 1 ? scratch[m] : (scratch[m - 1] + scratch[m]) / 2
            }
        }
    }
}

/// A fill-aware weighted mean of planes: used to fill a period from neighbouring source steps
/// (temporal up-sampling). NaN values drop out and the remaining weights are renormalised.
public struct WeightedMean {
    private var sums: [Double]
    private var weights: [Double]

    /// Creates an empty mean over planes of `cells` pixels.
    public init(cells: Int) {
        sums = [Double](repeating: 0, count: cells)
        weights = [Double](repeating: 0, count: cells)
    }

    /// Adds a plane with its weight.
    public mutating func add(_ plane: UnsafeBufferPointer<Float>, weight: Double) {
        for k in sums.indices where !plane[k].isNaN && weight > 0 {
            sums[k] += Double(plane[k]) * weight
            weights[k] += weight
        }
    }

    /// Writes the mean (NaN where nothing valid was added).
    public func finish(into output: UnsafeMutableBufferPointer<Float>) {
        for k in sums.indices { output[k] = weights[k] > 0 ? Float(sums[k] / weights[k]) : .nan }
    }
}
