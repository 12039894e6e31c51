import Foundation

extension ResamplingWeights {
    /// Precomputes a separable interpolation kernel (`cubic`, `cubic_spline`, `lanczos`) at the
    /// mapped pixel centres: taps on the `2r × 2r` cells around the position, weights the product
    /// of the 1-D kernel in x and y, each normalised to sum 1. Off-grid taps repeat the edge cell
    /// (or wrap on a global longitude axis). Valid weights are renormalised; a pixel whose valid
    /// weights sum to 0.25 or less is fill.
    init(separable method: ResamplingMethod, mapping: PixelMapping, window: SourceWindowBounds) {
        let g = KernelGeometry(mapping: mapping, window: window)
        let radius = method.margin
        let side = 2 * radius, taps = side * side
        let n = mapping.width * mapping.height
        var indices = [Int32](repeating: -1, count: taps * n)
        var weights = [Float](repeating: 0, count: taps * n)
        var wx = [Double](repeating: 0, count: side), wy = [Double](repeating: 0, count: side)
        for k in 0..<n {
            let c = mapping.column[k], r = mapping.row[k]
            guard g.contains(column: c, row: r) else { continue }
            let c0 = Int(c.rounded(.down)), r0 = Int(r.rounded(.down))
            for t in 0..<side {
                wx[t] = ResamplingWeights.kernel(method, c - Double(c0 - radius + 1 + t))
                wy[t] = ResamplingWeights.kernel(method, r - Double(r0 - radius + 1 + t))
            }
            let sx = wx.reduce(0, +), sy = wy.reduce(0, +)
            for ty in 0..<side {
                let row = min(max(r0 - radius + 1 + ty, 0), g.sourceHeight - 1)
                for tx in 0..<side {
                    let entry = k * taps + ty * side + tx
                    indices[entry] = Int32(g.index(row: row, column: g.gridColumn(c0 - radius + 1 + tx)))
                    weights[entry] = Float(wx[tx] / sx * wy[ty] / sy)
                }
            }
        }
        self.init(taps: taps, offsets: [], indices: indices, weights: weights, minimumWeight: 0.25)
    }

    /// The 1-D kernel of `method` at distance `d` (in cells).
    static func kernel(_ method: ResamplingMethod, _ d: Double) -> Double {
        let x = abs(d)
        switch method {
        case .cubic:
            let a = -0.5
            if x < 1 { return (a + 2) * x * x * x - (a + 3) * x * x + 1 }
            if x < 2 { return a * x * x * x - 5 * a * x * x + 8 * a * x - 4 * a }
            return 0
        case .cubicSpline:
            if x < 1 { return (4 - 6 * x * x + 3 * x * x * x) / 6 }
            if x < 2 { return (2 - x) * (2 - x) * (2 - x) / 6 }
            return 0
        case .lanczos:
            if x < 1e-12 { return 1 }
            if x >= 3 { return 0 }
            let p = Double.pi * x
            return 3 * sin(p) * sin(p / 3) / (p * p)
        default:
            preconditionFailure("\(method) is not a separable interpolation kernel")
        }
    }
}
