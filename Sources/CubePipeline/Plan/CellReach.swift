import CubeCore
import CubeResampling
import Foundation

/// The cells of a cell-grid source (HEALPix, reduced Gaussian) that a target grid can reach: a
/// regional target (Europe from a global H1024 field) then reads and decodes those cells only
/// (`CellSubset`, `CellSubsetReader`) instead of every field whole.
///
/// The target's sample points (the footprint's, `FootprintSamples`: up to 129 × 129 including
/// every edge) give a longitude/latitude box, antimeridian-aware (the complement of the largest
/// gap between the sampled longitudes), widened by the largest step between neighbouring samples
/// (what the target may reach between them; it covers half a pixel for the corners of area
/// methods) and three cell widths; near a pole the box takes every longitude. `CellLayout`
/// turns the box into cells with a cell to spare on every side. A target reaching more than
/// half the cells reads them whole.
enum CellReach {
    /// The cells `target` can reach on `source` (a cell grid), or `nil` to read it whole.
    static func subset(of target: RegularGrid, on source: SourceGrid) throws -> CellSubset? {
        guard let cells = source.cells else { return nil }
        // A cell grid's mapping holds longitude (column) and latitude (row) in degrees.
        let mapping = try FootprintSamples.mapping(of: target, on: source)
        guard let box = box(longitudes: mapping.column, latitudes: mapping.row, width: mapping.width, height: mapping.height,
                            cellWidth: cells.meanSpacingDegrees) else { return nil }
        return try CellLayout.of(cells).cells(west: box.west, south: box.south, east: box.east, north: box.north)
    }

    /// The widened box of the sampled points (`width × height`, row-major; NaN where a point has
    /// no position), `nil` when no point has one. `east − west ≥ 360` stands for every longitude.
    static func box(longitudes: [Double], latitudes: [Double], width: Int, height: Int, cellWidth: Double)
        -> (west: Double, south: Double, east: Double, north: Double)? {
        var south = Double.infinity, north = -Double.infinity, lonStep = 0.0, latStep = 0.0
        var wrapped: [Double] = []
        func wrap(_ d: Double) -> Double {
            var d = d.truncatingRemainder(dividingBy: 360)
            if d > 180 { d -= 360 } else if d < -180 { d += 360 }
            return abs(d)
        }
        for r in 0..<height {
            for c in 0..<width {
                let k = r * width + c
                let lon = longitudes[k], lat = latitudes[k]
                guard lon.isFinite, lat.isFinite else { continue }
                south = min(south, lat)
                north = max(north, lat)
                var l = lon.truncatingRemainder(dividingBy: 360)
                if l < 0 { l += 360 }
                wrapped.append(l)
                // The step to the right and downward neighbours (what lies between samples).
                for n in [c + 1 < width ? k + 1 : -1, r + 1 < height ? k + width : -1] where n >= 0 {
                    guard longitudes[n].isFinite, latitudes[n].isFinite else { continue }
                    latStep = max(latStep, abs(latitudes[n] - lat))
                    // Longitude steps near a pole say nothing of the reach (the box takes every longitude there).
                    if abs(lat) < 85 { lonStep = max(lonStep, wrap(longitudes[n] - lon)) }
                }
            }
        }
        guard !wrapped.isEmpty else { return nil }
        let latMargin = 1.5 * latStep + 3 * cellWidth
        south = max(-90, south - latMargin)
        north = min(90, north + latMargin)
        // The widest latitude stretches longitudes most: a cell's width in longitude there.
        let extreme = min(85.0, max(abs(south), abs(north)))
        let lonMargin = 1.5 * lonStep + 3 * cellWidth / cos(extreme * .pi / 180)
        // Near a pole: up to it, at every longitude.
        if north >= 85 { north = 90 }
        if south <= -85 { south = -90 }
        if north == 90 || south == -90 { return (-180, south, 180, north) }
        // The box is the complement of the largest gap between the sorted longitudes.
        wrapped.sort()
        var gap = wrapped[0] + 360 - wrapped[wrapped.count - 1], west = wrapped[0], east = wrapped[wrapped.count - 1]
        for k in 1..<wrapped.count where wrapped[k] - wrapped[k - 1] > gap {
            gap = wrapped[k] - wrapped[k - 1]
            west = wrapped[k]
            east = wrapped[k - 1]
        }
        if gap <= 2 * lonMargin { return (-180, south, 180, north) }
        west -= lonMargin
        east += lonMargin
        if west > 180 { west -= 360 }
        if east > 180 { east -= 360 }
        return (west, south, east, north)
    }
}
