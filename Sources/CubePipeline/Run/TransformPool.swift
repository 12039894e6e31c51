import CubeCore

/// Hands out coordinate transforms from the cube's CRS to source CRSs to workers: the process's
/// `PlanningTransforms`, so the run reuses the transformations planning built (creating a PROJ
/// transformation costs tens of milliseconds of database queries; using one is cheap but not
/// thread-safe, so each is checked out by one worker at a time).
final class TransformPool: Sendable {
    private let target: CRSDefinition

    /// Creates a pool of transforms from `target` (the cube's CRS) to source CRSs.
    init(target: CRSDefinition) { self.target = target }

    /// Runs `body` with a transform from the target CRS to `source`, exclusively.
    func withTransform<T>(to source: CRSDefinition, _ body: (any CoordinateTransform) throws -> T) throws -> T {
        try PlanningTransforms.shared.withTransform(from: target, to: source, body)
    }
}
