import CubeCore
import CubeProjection
import Foundation

/// Hands out coordinate transforms to workers, building one per concurrent user at most (creating
/// a PROJ transformation costs tens of milliseconds; using one is cheap but not thread-safe).
///
/// `@unchecked Sendable`: the idle lists are only touched under `lock`, and a transform checked
/// out by `withTransform` is used by that caller alone until it is returned.
final class TransformPool: @unchecked Sendable {
    private let lock = NSLock()
    private var idle: [CRSDefinition: [any CoordinateTransform]] = [:]
    private let target: CRSDefinition

    /// Creates a pool of transforms from `target` (the cube's CRS) to source CRSs.
    init(target: CRSDefinition) { self.target = target }

    /// Runs `body` with a transform from the target CRS to `source`, exclusively.
    func withTransform<T>(to source: CRSDefinition, _ body: (any CoordinateTransform) throws -> T) throws -> T {
        let transform: any CoordinateTransform
        lock.lock()
        let reused = idle[source]?.popLast()
        lock.unlock()
        if let reused {
            transform = reused
        } else if source == target {
            transform = IdentityTransform()
        } else {
            transform = try PROJTransform(from: target, to: source)
        }
        defer {
            lock.lock()
            idle[source, default: []].append(transform)
            lock.unlock()
        }
        return try body(transform)
    }
}
