internal import CPROJ
public import CubeCore

/// Transforms coordinates between two CRSs with PROJ, x/y (easting/northing, longitude/latitude) in
/// both; one instance per worker (it owns a PROJ context).
public final class PROJTransform: CoordinateTransform {
    private let context: PROJContext
    private let operation: OpaquePointer

    /// Creates the transformation from `source` to `target` (PROJ picks the best operation for the
    /// whole area of use).
    /// - Throws: `CubeError` (`.projection`) when either CRS is unknown or no operation exists.
    public init(from source: CRSDefinition, to target: CRSDefinition) throws {
        context = PROJContext()
        do {
            let a = try context.crs(source.text), b = try context.crs(target.text)
            guard let raw = proj_create_crs_to_crs_from_pj(context.context, a, b, nil, nil) else {
                throw PROJError(function: "proj_create_crs_to_crs", definition: "\(source) → \(target)", reason: context.lastError)
            }
            _ = context.own(raw)
            guard let normalized = proj_normalize_for_visualization(context.context, raw) else {
                throw PROJError(function: "proj_normalize_for_visualization", definition: "\(source) → \(target)",
                                reason: context.lastError)
            }
            operation = context.own(normalized)
        } catch let error as PROJError {
            throw CubeError(.projection, "cannot transform from '\(source)' to '\(target)': \(error.reason)", underlying: error)
        }
    }

    private init(context: PROJContext, operation: OpaquePointer) {
        self.context = context
        self.operation = operation
    }

    /// The same transformation in a context of its own (`proj_clone`: about 0.1 ms, where
    /// creating it again queries PROJ's database for 10–15 ms). Not to be called while another
    /// thread uses this transform.
    /// - Throws: `CubeError` (`.projection`) when PROJ cannot clone it.
    public func copy() throws -> PROJTransform {
        let context = PROJContext()
        guard let cloned = proj_clone(context.context, operation) else {
            throw CubeError(.projection, "cannot copy a PROJ transformation: \(context.lastError)")
        }
        return PROJTransform(context: context, operation: context.own(cloned))
    }

    /// Transforms the points in place (`proj_trans_generic`); failed points become NaN.
    public func transform(x: UnsafeMutableBufferPointer<Double>, y: UnsafeMutableBufferPointer<Double>) {
        precondition(x.count == y.count, "x and y must have the same length")
        guard let xs = x.baseAddress, let ys = y.baseAddress, x.count > 0 else { return }
        let stride = MemoryLayout<Double>.stride
        _ = proj_trans_generic(operation, PJ_FWD, xs, stride, x.count, ys, stride, y.count, nil, 0, 0, nil, 0, 0)
        for k in 0..<x.count where x[k] == .infinity || y[k] == .infinity || x[k] == Double(Float.greatestFiniteMagnitude) {
            x[k] = .nan
            y[k] = .nan
        }
    }
}

/// Makes `PROJTransform`s for workers; the `Sendable` value that crosses task boundaries.
public struct PROJTransformFactory: CoordinateTransformFactory {
    /// The CRS of the input points.
    public let source: CRSDefinition
    /// The CRS of the output points.
    public let target: CRSDefinition

    /// Creates a factory for transformations from `source` to `target`.
    public init(from source: CRSDefinition, to target: CRSDefinition) {
        self.source = source
        self.target = target
    }

    /// Creates a transform owned by the calling worker.
    public func makeTransform() throws -> any CoordinateTransform { try PROJTransform(from: source, to: target) }
}
