import CubeCore
import CubeProjection
import Foundation

/// PROJ transformations for planning and the catalogue (footprints, tile reach, spatial scale),
/// shared by (from, to) CRS pair for the life of the process. Creating one costs tens of
/// milliseconds of PROJ database queries — a mosaic of 36 tiles in two UTM zones created dozens
/// and spent a third of its run in SQLite — while using one is cheap but not thread-safe, so a
/// caller checks one out, as `TransformPool` does for the workers. A pair's first transform is
/// built from the database; later ones (one per worker using the pair at once) are copies of it
/// (callers asking before the first is built build their own). Copies are made under the lock.
///
/// `@unchecked Sendable`: the idle lists are only touched under `lock`, and a transform checked out
/// is used by that caller alone until it is returned.
final class PlanningTransforms: @unchecked Sendable {
    /// The process's transforms.
    static let shared = PlanningTransforms()

    private struct Pair: Hashable {
        var from: CRSDefinition
        var to: CRSDefinition
    }

    private let lock = NSLock()
    private var idle: [Pair: [any CoordinateTransform]] = [:]
    /// Per pair, a copy of the first transform made, never lent out: later transforms of the pair
    /// are copied from it (`PROJTransform.copy`) instead of built again from the database.
    private var originals: [Pair: PROJTransform] = [:]

    /// Runs `body` with a transform from `source` to `target`, exclusively.
    /// - Throws: `CubeError` when PROJ cannot build the transformation, or what `body` throws.
    func withTransform<T>(from source: CRSDefinition, to target: CRSDefinition, _ body: (any CoordinateTransform) throws -> T) throws -> T {
        let pair = Pair(from: source, to: target)
        lock.lock()
        let reused = idle[pair]?.popLast()
        // A copy that fails (an older PROJ cannot clone every transformation) is built instead.
        let copied = reused == nil ? try? originals[pair]?.copy() : nil
        lock.unlock()
        let transform: any CoordinateTransform
        if let reused {
            transform = reused
        } else if source == target {
            transform = IdentityTransform()
        } else if let copied {
            transform = copied
        } else {
            let made = try PROJTransform(from: source, to: target)
            if let original = try? made.copy() {
                lock.lock()
                if originals[pair] == nil { originals[pair] = original }
                lock.unlock()
            }
            transform = made
        }
        defer {
            lock.lock()
            idle[pair, default: []].append(transform)
            lock.unlock()
        }
        return try body(transform)
    }
}
