/// The 1-D coordinate values of one source grid axis (cell centres), monotonic in either direction,
/// and the mapping from a coordinate to a fractional index (index `k` is the centre of cell `k`).
public struct AxisCoordinates: Hashable, Sendable {
    /// The centre coordinates, in storage order.
    public let values: [Double]
    /// The first centre and the constant step, when the axis is regular.
    public let regular: (origin: Double, step: Double)?

    /// Compares values only.
    public static func == (a: AxisCoordinates, b: AxisCoordinates) -> Bool { a.values == b.values }
    /// Hashes values only.
    public func hash(into hasher: inout Hasher) { hasher.combine(values) }

    /// Creates an axis.
    /// - Throws: `CubeError` (`.invalidInput`) if the values are empty, not finite or not strictly monotonic.
    public init(_ values: [Double]) throws {
        guard !values.isEmpty, values.allSatisfy(\.isFinite) else {
            throw CubeError(.invalidInput, "coordinate values are empty or not finite")
        }
        if values.count > 1 {
            let increasing = values[1] > values[0]
            for k in 1..<values.count where (values[k] > values[k - 1]) != increasing || values[k] == values[k - 1] {
                throw CubeError(.invalidInput, "coordinate values are not strictly monotonic at index \(k)")
            }
        }
        self.values = values
        if values.count == 1 {
            regular = nil
        } else {
            let step = (values[values.count - 1] - values[0]) / Double(values.count - 1)
            let tolerance = abs(step) * 1e-4
            let isRegular = values.indices.allSatisfy { abs(values[$0] - (values[0] + Double($0) * step)) <= tolerance }
            regular = isRegular ? (values[0], step) : nil
        }
    }

    /// The number of cells.
    public var count: Int { values.count }

    /// The coordinate of the lower edge (in index order) of the first cell minus…: the outer edges,
    /// taken half a step beyond the first and last centres.
    public var outerEdges: (first: Double, last: Double) {
        guard values.count > 1 else { return (values[0], values[0]) }
        let firstStep = values[1] - values[0], lastStep = values[values.count - 1] - values[values.count - 2]
        return (values[0] - firstStep / 2, values[values.count - 1] + lastStep / 2)
    }

    /// The fractional index of coordinate `v`: exact for regular axes, piecewise linear otherwise;
    /// extrapolated linearly beyond the ends.
    @inline(__always) public func fractionalIndex(_ v: Double) -> Double {
        if let regular { return (v - regular.origin) / regular.step }
        return irregularIndex(v)
    }

    private func irregularIndex(_ v: Double) -> Double {
        let n = values.count
        if n == 1 { return 0 }
        let increasing = values[1] > values[0]
        func before(_ a: Double, _ b: Double) -> Bool { increasing ? a < b : a > b }
        if !before(values[0], v) { return (v - values[0]) / (values[1] - values[0]) }
        if !before(v, values[n - 1]) { return Double(n - 1) + (v - values[n - 1]) / (values[n - 1] - values[n - 2]) }
        var lo = 0, hi = n - 1
        while hi - lo > 1 {
            let mid = (lo + hi) / 2
            if before(v, values[mid]) { hi = mid } else { lo = mid }
        }
        return Double(lo) + (v - values[lo]) / (values[hi] - values[lo])
    }
}
