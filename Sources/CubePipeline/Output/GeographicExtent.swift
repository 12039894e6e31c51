import CubeCatalog
import CubeCore
import CubeProjection

/// The longitude/latitude box of a grid's outer edges (for ACDD `geospatial_*` attributes and the
/// STAC bbox). Longitudes are in −180…180; `lonMin > lonMax` means the box crosses the
/// antimeridian (ACDD's convention).
struct GeographicExtent: Sendable {
    var lonMin: Double
    var lonMax: Double
    var latMin: Double
    var latMax: Double

    /// Transforms points along the grid's outer edges (and tests the poles) to WGS 84.
    static func of(_ grid: RegularGrid) throws -> GeographicExtent {
        if grid.isGeographic {
            let box = GeographicBox(west: grid.xMin, south: grid.yMin, east: grid.xMax, north: grid.yMax)
            return GeographicExtent(lonMin: box.west, lonMax: box.east, latMin: box.south, latMax: box.north)
        }
        // The process's shared transforms: planning (the STAC search box) and the catalogue ask for the same pair.
        let transforms = PlanningTransforms.shared
        let n = 256
        var xs: [Double] = [], ys: [Double] = []
        for k in 0...n {
            let f = Double(k) / Double(n)
            let x = grid.xMin + f * (grid.xMax - grid.xMin), y = grid.yMin + f * (grid.yMax - grid.yMin)
            xs += [x, x, grid.xMin, grid.xMax]
            ys += [grid.yMin, grid.yMax, y, y]
        }
        try transforms.withTransform(from: grid.crs, to: .wgs84) { toGeographic in
            xs.withUnsafeMutableBufferPointer { x in ys.withUnsafeMutableBufferPointer { y in toGeographic.transform(x: x, y: y) } }
        }
        let valid = zip(xs, ys).filter { $0.0.isFinite && $0.1.isFinite }
        let box = GeographicBox.enclosing(longitudes: valid.map(\.0), latitudes: valid.map(\.1))
            ?? GeographicBox(west: -180, south: -90, east: 180, north: 90)
        var extent = GeographicExtent(lonMin: box.west, lonMax: box.east, latMin: box.south, latMax: box.north)
        // A pole inside the grid: the box reaches it and spans every longitude.
        var poleX = [0.0, 0.0], poleY = [90.0, -90.0]
        try transforms.withTransform(from: .wgs84, to: grid.crs) { toGrid in
            poleX.withUnsafeMutableBufferPointer { x in poleY.withUnsafeMutableBufferPointer { y in toGrid.transform(x: x, y: y) } }
        }
        for k in 0..<2 where poleX[k] > grid.xMin && poleX[k] < grid.xMax && poleY[k] > grid.yMin && poleY[k] < grid.yMax {
            if k == 0 { extent.latMax = 90 } else { extent.latMin = -90 }
            extent.lonMin = -180
            extent.lonMax = 180
        }
        return extent
    }
}
