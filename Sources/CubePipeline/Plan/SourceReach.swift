import CubeCore
import CubeProjection

/// Which target pixels a source grid can feed: the bounding window, in target pixels, of the
/// grid's extent (grown by a few source pixels for kernel margins) transformed into the target
/// CRS. For a mosaic of many tiles it lets a task skip the tiles that cannot reach it before any
/// per-pixel mapping is computed.
///
/// Conservative: when the outline cannot be transformed entirely, or the geometry could wrap
/// (geographic targets past ±180°, curvilinear or longitude-wrapping sources), the whole target
/// grid is returned.
enum SourceReach {
    /// Points sampled along each edge of the outline (and per side of the interior lattice).
    private static let samples = 33

    /// The target window the grid can reach, `nil` when it reaches no target pixel.
    /// - Parameters:
    ///   - source: The source grid.
    ///   - target: The target grid.
    ///   - margin: Source pixels added around the grid's extent (kernel reach).
    static func targetWindow(of source: SourceGrid, on target: RegularGrid, margin: Int) -> PixelWindow? {
        let whole = PixelWindow(rows: 0..<target.height, columns: 0..<target.width)
        let xValues = source.x.values, yValues = source.y.values
        guard source.geolocation == nil, source.cells == nil, !source.wrapsLongitude, xValues.count > 1, yValues.count > 1,
              !(target.isGeographic && (target.xMin < -180 || target.xMax > 180)) else { return whole }
        // The largest step of each axis, so irregular axes are grown enough too.
        let xStep = zip(xValues, xValues.dropFirst()).map { abs($1 - $0) }.max() ?? 0
        let yStep = zip(yValues, yValues.dropFirst()).map { abs($1 - $0) }.max() ?? 0
        let grow = Double(margin + 1)
        let xEdges = source.x.outerEdges, yEdges = source.y.outerEdges
        let x0 = min(xEdges.first, xEdges.last) - grow * abs(xStep), x1 = max(xEdges.first, xEdges.last) + grow * abs(xStep)
        let y0 = min(yEdges.first, yEdges.last) - grow * abs(yStep), y1 = max(yEdges.first, yEdges.last) + grow * abs(yStep)
        var xs: [Double] = [], ys: [Double] = []
        for i in 0..<samples {
            let fx = x0 + (x1 - x0) * Double(i) / Double(samples - 1)
            for j in 0..<samples {
                xs.append(fx)
                ys.append(y0 + (y1 - y0) * Double(j) / Double(samples - 1))
            }
        }
        do {
            try PlanningTransforms.shared.withTransform(from: source.crs, to: target.crs) { transform in
                xs.withUnsafeMutableBufferPointer { x in ys.withUnsafeMutableBufferPointer { y in transform.transform(x: x, y: y) } }
            }
        } catch {
            return whole
        }
        guard xs.allSatisfy(\.isFinite), ys.allSatisfy(\.isFinite) else { return whole }
        let columns = xs.map { ($0 - target.xMin) / target.xResolution }
        let rows = ys.map { target.yAxis == .descending ? (target.yMax - $0) / target.yResolution : ($0 - target.yMin) / target.yResolution }
        guard let c0 = columns.min(), let c1 = columns.max(), let r0 = rows.min(), let r1 = rows.max() else { return whole }
        let first = max(0, Int((c0 - 1).rounded(.down))), last = min(target.width, Int((c1 + 1).rounded(.up)))
        let top = max(0, Int((r0 - 1).rounded(.down))), bottom = min(target.height, Int((r1 + 1).rounded(.up)))
        guard first < last, top < bottom else { return nil }
        return PixelWindow(rows: top..<bottom, columns: first..<last)
    }
}
