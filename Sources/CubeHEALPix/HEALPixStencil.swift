/// Four pixels and their weights for bilinear interpolation at one point (healpy's
/// `get_interp_weights`): two pixels on the ring above the point and two on the ring below, linear in
/// longitude along each ring and linear in colatitude between the rings. The weights sum to 1.
public struct HEALPixStencil: Sendable, Hashable {
    /// The pixel indices, in the grid's ordering: ring above west, ring above east, ring below west,
    /// ring below east (near a pole the "ring above" pair are pole-opposite pixels of the first ring).
    public var pixels: SIMD4<Int>
    /// The weight of each pixel, same order.
    public var weights: SIMD4<Double>

    /// The stencil with these pixels and weights.
    public init(pixels: SIMD4<Int>, weights: SIMD4<Double>) {
        self.pixels = pixels
        self.weights = weights
    }

    /// `Σ weightᵢ · value(pixelᵢ)`.
    public func interpolate(_ value: (Int) -> Double) -> Double {
        weights[0] * value(pixels[0]) + weights[1] * value(pixels[1])
            + weights[2] * value(pixels[2]) + weights[3] * value(pixels[3])
    }
}
