import Foundation

/// A HEALPix grid seen as a set of source cells: what a resampler asks of a source geometry.
///
/// - `nearest`: the cell containing a target point.
/// - `bilinear`: the four-cell stencil of `HEALPixGrid.interpolationStencil` (healpy's
///   `get_interp_weights`).
/// - area methods: `cells(intersecting:)`, the cells that may overlap a longitude/latitude box.
///
/// Cell indices are pixel indices in the grid's ordering, i.e. positions in a field's value array.
public struct HEALPixCells: Sendable, Hashable {
    /// The grid whose pixels are the cells.
    public let grid: HEALPixGrid

    /// The cells of `grid`.
    public init(grid: HEALPixGrid) { self.grid = grid }

    /// The number of cells, `12·Nside²`.
    public var count: Int { grid.pixelCount }

    /// The cell containing the point at `longitude`, `latitude` (degrees).
    public func nearest(longitude: Double, latitude: Double) -> Int {
        grid.pixel(latitude: latitude, longitude: longitude)
    }

    /// The bilinear stencil at `longitude`, `latitude` (degrees).
    public func stencil(longitude: Double, latitude: Double) -> HEALPixStencil {
        grid.interpolationStencil(latitude: latitude, longitude: longitude)
    }

    /// The centre of `cell` in degrees, longitude in `[0, 360)`.
    public func centre(of cell: Int) -> (longitude: Double, latitude: Double) {
        let c = grid.centreLatLon(of: cell)
        return (c.longitude, c.latitude)
    }

    /// The cells that may intersect `box`, sorted ascending: a superset of those that do.
    ///
    /// Rings are chosen by latitude: a pixel of ring `i` lies between the centre latitudes of rings
    /// `i−1` and `i+1` (its north and south corners sit on them; the poles for the first and last
    /// rings), so ring `i` is kept when that band meets `[south, north]`. Within a kept ring a pixel is
    /// kept when its centre longitude is within one pixel width (`360°/pixels in the ring`) of the box;
    /// a pixel extends at most that far from its centre in longitude (its east and west corners are half
    /// a width away; the curved polar edges stay inside the ring's neighbour spacing), so nothing that
    /// touches the box is missed. The superset's excess is about one pixel on every side.
    public func cells(intersecting box: LonLatBox) -> [Int] {
        let n = grid.nside
        let zNorth = sin(HEALPixAngles.radians(box.north)), zSouth = sin(HEALPixAngles.radians(box.south))
        // Ring i's band is [z(i+1), z(i−1)], with z(0) = 1 and z(4n) = −1.
        func z(_ i: Int) -> Double { i <= 0 ? 1 : (i >= 4 * n ? -1 : grid.ringZ(i)) }
        var first = 1
        while first < grid.ringCount && z(first + 1) > zNorth { first += 1 }
        var last = grid.ringCount
        while last > first && z(last - 1) < zSouth { last -= 1 }
        var cells: [Int] = []
        let width = box.width
        for i in first...last {
            let (start, quarter, shifted) = grid.ringGeometry(i)
            let count = 4 * quarter
            let spacing = 360.0 / Double(count)
            if width + 2 * spacing >= 360 {
                for k in 0..<count { cells.append(start + k) }
                continue
            }
            // Pixels k with centre (k + offset)·spacing in [west − spacing, west + width + spacing].
            let offset = shifted ? 0.5 : 0
            let lo = Int(((box.west - spacing) / spacing - offset).rounded(.up))
            let hi = Int(((box.west + width + spacing) / spacing - offset).rounded(.down))
            if hi < lo { continue }
            for k in lo...hi {
                var m = k % count
                if m < 0 { m += count }
                cells.append(start + m)
            }
        }
        if grid.ordering == .nested {
            let order = grid.powerOfTwoOrder
            for j in cells.indices { cells[j] = grid.facePixel(ofRingPixel: cells[j]).nestedIndex(order: order) }
        }
        cells.sort()
        return cells
    }
}
