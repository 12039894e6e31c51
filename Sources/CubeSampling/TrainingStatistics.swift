import Zarr

/// Per-variable statistics over the valid values of the training samples (normalisation is fitted
/// on train only, so validation and test values never shape it).
struct TrainingStatistics: Sendable {
    struct Moments: Sendable {
        var count = 0
        var mean = 0.0
        var m2 = 0.0
        var minimum = Double.infinity
        var maximum = -Double.infinity

        /// Welford's update with one value.
        mutating func add(_ value: Double) {
            count += 1
            let delta = value - mean
            mean += delta / Double(count)
            m2 += delta * (value - mean)
            minimum = Swift.min(minimum, value)
            maximum = Swift.max(maximum, value)
        }

        /// The population standard deviation (numpy's default, ddof 0).
        var standardDeviation: Double { count > 0 ? (m2 / Double(count)).squareRoot() : .nan }
    }

    private(set) var moments: [String: Moments] = [:]

    mutating func add(_ name: String, _ values: [Float]) {
        var m = moments[name] ?? Moments()
        for v in values where !v.isNaN { m.add(Double(v)) }
        moments[name] = m
    }

    /// Normalises `values` in place with `method` (`standardize`: (v − mean) / std; `minmax`:
    /// (v − min) / (max − min)); NaN stays NaN.
    func apply(_ method: String, to name: String, _ values: inout [Float]) {
        guard let m = moments[name], m.count > 0 else { return }
        let (shift, scale): (Double, Double) = method == "minmax"
            ? (m.minimum, m.maximum > m.minimum ? m.maximum - m.minimum : 1)
            : (m.mean, m.standardDeviation > 0 ? m.standardDeviation : 1)
        for k in values.indices where !values[k].isNaN { values[k] = Float((Double(values[k]) - shift) / scale) }
    }

    /// The statistics as JSON, variables in `order`.
    func json(_ order: [String]) -> JSONValue {
        .object(order.compactMap { name in
            guard let m = moments[name] else { return nil }
            func number(_ v: Double) -> JSONValue { v.isFinite ? .double(v) : .null }
            return (name, .object([("count", .int(Int64(m.count))), ("mean", number(m.mean)), ("std", number(m.standardDeviation)),
                                   ("min", number(m.minimum)), ("max", number(m.maximum))]))
        })
    }
}
