import Foundation

/// A unit vector from the sphere's centre: `x` towards (lat 0, lon 0), `y` towards (lat 0, lon 90°E),
/// `z` towards the north pole — healpy's `ang2vec` convention.
public struct SphereVector: Sendable, Hashable {
    public var x: Double
    public var y: Double
    public var z: Double

    /// The vector with these components (not normalised here).
    public init(x: Double, y: Double, z: Double) {
        self.x = x
        self.y = y
        self.z = z
    }

    /// The unit vector of `z = cos θ`, longitude `phi`; `sinTheta` when it is known more precisely
    /// than `√(1 − z²)` (near the poles).
    init(z: Double, phi: Double, sinTheta: Double? = nil) {
        let s = sinTheta ?? ((1 - z) * (1 + z)).squareRoot()
        self.init(x: s * cos(phi), y: s * sin(phi), z: z)
    }

    /// The latitude of the direction, degrees.
    public var latitude: Double { atan2(z, (x * x + y * y).squareRoot()) * (180 / Double.pi) }

    /// The longitude of the direction in `(-180, 180]` degrees (0 at the poles).
    public var longitude: Double { atan2(y, x) * (180 / Double.pi) }
}
