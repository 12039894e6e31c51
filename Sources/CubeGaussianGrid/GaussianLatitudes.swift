import Foundation

/// The latitudes and quadrature weights of a Gaussian grid with `N` latitudes per hemisphere.
///
/// Gaussian latitudes are `asin` of the roots of the Legendre polynomial `P₂N`; the weights are the
/// Gauss–Legendre quadrature weights `2 / ((1 − x²)·P′₂N(x)²)` (they sum to 2). Each root is found by
/// Newton's method on the three-term recurrence from Tricomi's estimate, iterated until the step no
/// longer shrinks, so the nodes are accurate to about an ulp (checked against numpy's `leggauss`).
/// The weights are evaluated at the double roots, which bounds their relative accuracy near the poles
/// to about `1e-16/(1 − x)` (1e-11 on the first row of O1280; checked against 40-digit values).
public struct GaussianLatitudes: Sendable, Hashable {
    /// Latitudes per hemisphere (ECMWF's `N`, as in N320 or O1280).
    public let n: Int
    /// `sin(latitude)` of the `2N` rows, north to south (the Legendre roots, descending).
    public let sines: [Double]
    /// The latitudes of the `2N` rows in degrees, north to south.
    public let latitudes: [Double]
    /// The quadrature weight of each row, same order; proportional to the row's area share.
    public let weights: [Double]

    /// The Gaussian latitudes for `n` latitudes per hemisphere.
    ///
    /// - Precondition: `n ≥ 1`.
    public init(n: Int) {
        precondition(n >= 1, "a Gaussian grid needs at least one latitude per hemisphere")
        self.n = n
        let degree = 2 * n
        var sines = [Double](repeating: 0, count: degree), weights = [Double](repeating: 0, count: degree)
        for k in 0..<n {
            // Tricomi's estimate of the k-th largest root, then Newton on P_degree.
            let theta = Double.pi * (Double(k) + 0.75) / (Double(degree) + 0.5)
            var x = cos(theta + 1 / (8 * Double(degree) * Double(degree)) * (1 / tan(theta)))
            var derivative = 0.0
            var previousStep = Double.infinity
            for _ in 0..<100 {
                let (p, dp) = Self.legendre(degree, x)
                let step = p / dp
                x -= step
                derivative = dp
                if abs(step) >= previousStep || step == 0 { break }
                previousStep = abs(step)
            }
            derivative = Self.legendre(degree, x).derivative
            let w = 2 / ((1 - x * x) * derivative * derivative)
            sines[k] = x
            sines[degree - 1 - k] = -x
            weights[k] = w
            weights[degree - 1 - k] = w
        }
        self.sines = sines
        self.weights = weights
        self.latitudes = sines.map { asin($0) * (180 / Double.pi) }
    }

    /// `P_degree(x)` and its derivative by the three-term recurrence (`degree ≥ 2`).
    static func legendre(_ degree: Int, _ x: Double) -> (value: Double, derivative: Double) {
        var p0 = 1.0, p1 = x
        for l in 2...degree {
            let p2 = ((2 * Double(l) - 1) * x * p1 - (Double(l) - 1) * p0) / Double(l)
            p0 = p1
            p1 = p2
        }
        return (p1, Double(degree) * (x * p1 - p0) / (x * x - 1))
    }
}
