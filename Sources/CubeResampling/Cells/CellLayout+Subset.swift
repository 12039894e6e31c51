public import CubeCore
import CubeGaussianGrid
import CubeHEALPix
import Foundation

extension CellLayout {
    /// The cells that may touch a longitude/latitude box (degrees; `west > east` wraps through
    /// 180°, `east − west ≥ 360` is every longitude): a superset with at least one cell to spare
    /// on every side, so every interpolation stencil and area overlap of a point inside the box
    /// finds its cells. `nil` when that is more than `fraction` of the grid (read it whole).
    ///
    /// HEALPix: `HEALPixCells.cells(intersecting:)` (rings whose band meets the box, and in them
    /// the cells within one cell width of it), widened by one ring more each way. Reduced
    /// Gaussian: the whole rows whose band meets the box, and one row more each way (one run).
    public func cells(west: Double, south: Double, east: Double, north: Double, fraction: Double = 0.5) -> CellSubset? {
        // A box over more than the fraction of the sphere's area reads everything: no need to list the cells.
        let width = east - west >= 360 ? 360 : ((east - west).truncatingRemainder(dividingBy: 360) + 360).truncatingRemainder(dividingBy: 360)
        let area = (sin(north * .pi / 180) - sin(south * .pi / 180)) / 2 * width / 360
        if area > fraction { return nil }
        let subset: CellSubset
        switch kind {
        case let .healpix(cells, ringZ):
            // One ring spacing more north and south: the stencil of a point between two rings
            // reads both, and ring 1's four cells serve the polar cap.
            let spacing = 180.0 / Double(ringZ.count + 1)
            let s = max(-90, south - spacing), n = min(90, north + spacing)
            let everywhere = n >= 90 - 2 * spacing || s <= -90 + 2 * spacing || east - west >= 360
            let box = LonLatBox(west: everywhere ? -180 : west, south: s, east: everywhere ? 180 : east, north: n)
            subset = CellSubset(sortedCells: cells.cells(intersecting: box))
        case let .gaussian(grid, zBounds):
            // Row r covers z from zBounds[r+1] to zBounds[r] (north to south).
            let zNorth = sin(north * .pi / 180), zSouth = sin(south * .pi / 180)
            var first = 0
            while first < grid.rowCount - 1 && zBounds[first + 1] > zNorth { first += 1 }
            var last = grid.rowCount - 1
            while last > first && zBounds[last] < zSouth { last -= 1 }
            first = max(0, first - 1)
            last = min(grid.rowCount - 1, last + 1)
            subset = CellSubset(runs: [grid.rowStarts[first]..<grid.rowStarts[last + 1]])
        }
        return Double(subset.count) > fraction * Double(count) ? nil : subset
    }
}
