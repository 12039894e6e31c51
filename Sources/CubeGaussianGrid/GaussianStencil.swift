/// Up to four grid points and weights interpolating at one location: two on the row above and two
/// on the row below, linear in longitude along each row and linear in latitude between the rows.
/// North of the first row (south of the last) only that row's pair is used, with weights summing to 1.
/// Unused entries have weight 0 and repeat a used index.
public struct GaussianStencil: Sendable, Hashable {
    /// Point indices: row above west, row above east, row below west, row below east.
    public var points: SIMD4<Int>
    /// Weights, same order; they sum to 1.
    public var weights: SIMD4<Double>

    /// The stencil with these points and weights.
    public init(points: SIMD4<Int>, weights: SIMD4<Double>) {
        self.points = points
        self.weights = weights
    }
}
