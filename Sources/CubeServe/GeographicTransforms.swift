import CubeCore
import CubeProjection
import Foundation

/// Longitude/latitude (WGS 84, degrees) to a cube's CRS, with PROJ transforms kept for reuse
/// (creating one costs tens of milliseconds; using one is not thread-safe, so each caller
/// checks one out). A geographic cube needs no transform.
///
/// `@unchecked Sendable`: the idle list is only touched under `lock`; a checked-out transform
/// is used by one caller until returned.
final class GeographicTransforms: @unchecked Sendable {
    private let lock = NSLock()
    private var idle: [PROJTransform] = []
    private let target: CRSDefinition
    private let geographic: Bool

    /// Transforms to the CRS of `grid`.
    init(grid: SourceGrid) {
        target = grid.crs
        geographic = grid.isGeographic
    }

    /// Creates `count` transforms ahead of the first requests (the first tiles of a cold server
    /// would each create one, tens of milliseconds apiece); a no-op for a geographic cube.
    func warm(_ count: Int) throws {
        guard !geographic else { return }
        let made = try (0..<count).map { _ in try PROJTransform(from: .wgs84, to: target) }
        lock.lock()
        idle.append(contentsOf: made)
        lock.unlock()
    }

    /// Whether the cube is geographic (longitude/latitude in, the same out: no transform).
    var isIdentity: Bool { geographic }

    /// Transforms the points in place from longitude/latitude to the cube's CRS (NaN where PROJ fails).
    func toCube(x: inout [Double], y: inout [Double]) throws {
        guard !geographic else { return }
        lock.lock()
        let reused = idle.popLast()
        lock.unlock()
        let transform = try reused ?? PROJTransform(from: .wgs84, to: target)
        defer {
            lock.lock()
            idle.append(transform)
            lock.unlock()
        }
        x.withUnsafeMutableBufferPointer { xs in y.withUnsafeMutableBufferPointer { ys in transform.transform(x: xs, y: ys) } }
    }
}
