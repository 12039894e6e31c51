import CubeCore
import CubeProjection
import CubeResampling
import Foundation

/// How many source pixels one target pixel spans along each target axis, measured at a
/// representative target pixel (the grid centre, else the first lattice pixel that falls on the
/// source), and the pixel sizes in metres there.
public struct SpatialScale: Sendable {
    /// Source pixels per target pixel along target x and along target y.
    public var sourcePixelsPerTargetPixel: (x: Double, y: Double)
    /// The target pixel size in metres (x, y) at the sample point.
    public var targetPixelMetres: (x: Double, y: Double)

    /// The linear factor: > 1 up-sampling (target pixels smaller), < 1 down-sampling.
    public var factor: Double { 1 / (sourcePixelsPerTargetPixel.x * sourcePixelsPerTargetPixel.y).squareRoot() }

    /// The source pixel size in metres at the sample point (geometric mean of the axes).
    public var sourcePixelMetres: Double {
        ((targetPixelMetres.x / sourcePixelsPerTargetPixel.x) * (targetPixelMetres.y / sourcePixelsPerTargetPixel.y)).squareRoot()
    }

    /// The target pixel size in metres (geometric mean of the axes).
    public var targetPixelSize: Double { (targetPixelMetres.x * targetPixelMetres.y).squareRoot() }

    /// Measures the scale of `source` under `target`, or `nil` when no sampled target pixel falls on the source.
    static func measure(target: RegularGrid, source: SourceGrid) -> SpatialScale? {
        (try? PlanningTransforms.shared.withTransform(from: target.crs, to: source.crs) { measure(target: target, source: source, transform: $0) }) ?? nil
    }

    private static func measure(target: RegularGrid, source: SourceGrid, transform: any CoordinateTransform) -> SpatialScale? {
        var candidates = [(target.height / 2, target.width / 2)]
        for j in stride(from: 0, to: target.height, by: max(1, target.height / 8)) {
            for i in stride(from: 0, to: target.width, by: max(1, target.width / 8)) { candidates.append((j, i)) }
        }
        for (row, column) in candidates {
            let rows = max(0, row - 1)..<min(target.height, row + 2), columns = max(0, column - 1)..<min(target.width, column + 2)
            guard rows.count > 1, columns.count > 1 else { continue }
            let mapping = PixelMapping.compute(target: target, rows: rows, columns: columns, source: source, transform: transform)
            let w = mapping.width
            func at(_ j: Int, _ i: Int) -> (Double, Double) { (mapping.column[j * w + i], mapping.row[j * w + i]) }
            let cj = row - rows.lowerBound, ci = column - columns.lowerBound
            let left = at(cj, max(0, ci - 1)), right = at(cj, min(w - 1, ci + 1))
            let up = at(max(0, cj - 1), ci), down = at(min(mapping.height - 1, cj + 1), ci)
            let dxSpan = Double(min(w - 1, ci + 1) - max(0, ci - 1)), dySpan = Double(min(mapping.height - 1, cj + 1) - max(0, cj - 1))
            func distance(_ a: (Double, Double), _ b: (Double, Double)) -> Double {
                var dc = b.0 - a.0
                if source.wrapsLongitude, abs(dc) > Double(source.width) / 2 { dc -= Double(source.width) * (dc > 0 ? 1 : -1) }
                return (dc * dc + (b.1 - a.1) * (b.1 - a.1)).squareRoot()
            }
            var perX = distance(left, right) / dxSpan, perY = distance(up, down) / dySpan
            if let cells = source.cells {
                // Positions on a cell grid are degrees: in cells, with the cosine of the latitude on x.
                let latitude = at(cj, ci).1 * .pi / 180
                perX *= cos(latitude) / cells.meanSpacingDegrees
                perY /= cells.meanSpacingDegrees
            }
            guard perX.isFinite, perY.isFinite, perX > 0, perY > 0 else { continue }
            return SpatialScale(sourcePixelsPerTargetPixel: (perX, perY),
                                targetPixelMetres: pixelMetres(target, row: row))
        }
        return nil
    }

    /// A target pixel's size in metres: its CRS units for projected grids, degrees on a sphere
    /// of 6 371 km for geographic ones.
    private static func pixelMetres(_ grid: RegularGrid, row: Int) -> (Double, Double) {
        guard grid.isGeographic else { return (abs(grid.xResolution), abs(grid.yResolution)) }
        let metresPerDegree = 6_371_000 * Double.pi / 180
        let latitude = grid.yCenter(row) * .pi / 180
        return (abs(grid.xResolution) * metresPerDegree * cos(latitude), abs(grid.yResolution) * metresPerDegree)
    }
}
