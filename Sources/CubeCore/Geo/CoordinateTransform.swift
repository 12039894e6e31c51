/// Transforms points from one CRS to another in batches (whole scanlines or lattices).
///
/// Not `Sendable`: a transform may own per-thread library state (a PROJ context). Each worker gets
/// its own from a `CoordinateTransformFactory`.
///
/// ## Implementation guidance
/// Axis order is always x then y (easting/northing, or longitude/latitude in degrees). Points that
/// cannot be transformed become NaN; never throw for a single point.
public protocol CoordinateTransform {
    /// Transforms the points `(x[k], y[k])` in place.
    func transform(x: UnsafeMutableBufferPointer<Double>, y: UnsafeMutableBufferPointer<Double>)
}

/// Creates per-worker transforms; the value that crosses task boundaries.
public protocol CoordinateTransformFactory: Sendable {
    /// Creates a transform for the calling worker.
    /// - Throws: `CubeError` (`.projection`) when the transformation cannot be created.
    func makeTransform() throws -> any CoordinateTransform
}

/// The identity transform, for source and target in the same CRS.
public struct IdentityTransform: CoordinateTransform, CoordinateTransformFactory {
    /// Creates the identity.
    public init() {}
    /// Leaves the points unchanged.
    public func transform(x: UnsafeMutableBufferPointer<Double>, y: UnsafeMutableBufferPointer<Double>) {}
    /// Returns itself.
    public func makeTransform() throws -> any CoordinateTransform { self }
}
