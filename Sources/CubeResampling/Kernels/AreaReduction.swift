/// How the overlap-weighted source values of a target pixel combine (area methods).
public enum AreaReduction: Hashable, Sendable {
    /// Σ w·v / Σ w (`average`, `conservative`, and the interpolation kernels).
    case mean
    /// sqrt(Σ w·v² / Σ w).
    case rms
    /// Σ w·v.
    case sum
    /// The value with the largest Σ w (the smallest value on a tie).
    case mode
    /// The smallest value with w > 0.
    case min
    /// The largest value with w > 0.
    case max
    /// The weighted quantile q: the smallest value whose cumulative weight reaches q · Σ w.
    case quantile(Double)

    /// The reduction of a resampling method.
    public init(_ method: ResamplingMethod) {
        switch method {
        case .rms: self = .rms
        case .sum: self = .sum
        case .mode: self = .mode
        case .min: self = .min
        case .max: self = .max
        case .med: self = .quantile(0.5)
        case .q1: self = .quantile(0.25)
        case .q3: self = .quantile(0.75)
        default: self = .mean
        }
    }
}

extension ResamplingWeights {
    /// Applies a reduction other than the mean, pixel by pixel; fill values drop out and a pixel
    /// with no valid value is NaN.
    func applyReduction(source: UnsafeBufferPointer<Float>, indices: UnsafeBufferPointer<Int32>, weights: UnsafeBufferPointer<Float>,
                        into output: UnsafeMutableBufferPointer<Float>) {
        var pairs: [(value: Float, weight: Double)] = []
        for k in 0..<count {
            pairs.removeAll(keepingCapacity: true)
            for t in Int(offsets[k])..<Int(offsets[k + 1]) {
                let v = source[Int(indices[t])]
                if !v.isNaN && weights[t] > 0 { pairs.append((v, Double(weights[t]))) }
            }
            guard !pairs.isEmpty else {
                output[k] = .nan
                continue
            }
            switch reduction {
            case .mean:
                output[k] = Float(pairs.reduce(0) { $0 + Double($1.value) * $1.weight } / pairs.reduce(0) { $0 + $1.weight })
            case .rms:
                let total = pairs.reduce(0) { $0 + $1.weight }
                output[k] = Float((pairs.reduce(0) { $0 + Double($1.value) * Double($1.value) * $1.weight } / total).squareRoot())
            case .sum: output[k] = Float(pairs.reduce(0) { $0 + Double($1.value) * $1.weight })
            case .min: output[k] = pairs.map(\.value).min()!
            case .max: output[k] = pairs.map(\.value).max()!
            case .mode:
                var totals: [Float: Double] = [:]
                for pair in pairs { totals[pair.value, default: 0] += pair.weight }
                output[k] = totals.max { $0.value < $1.value || ($0.value == $1.value && $0.key > $1.key) }!.key
            case let .quantile(q):
                pairs.sort { $0.value < $1.value }
                let target = q * pairs.reduce(0) { $0 + $1.weight }
                var cumulative = 0.0
                var result = pairs[pairs.count - 1].value
                for pair in pairs {
                    cumulative += pair.weight
                    if cumulative >= target - 1e-12 {
                        result = pair.value
                        break
                    }
                }
                output[k] = result
            }
        }
    }
}
