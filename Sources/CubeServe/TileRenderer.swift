import CubeCatalog
import CubeCore
import Foundation

/// What a tile request asks for.
struct TileRequest: Hashable, Sendable {
    var dataset: String
    var variable: String
    var matrix: TileMatrix
    var z: Int
    var y: Int
    var x: Int
    var timeIndex: Int
    /// The index along each dimension between time and y (members, levels); `[]` for (time, y, x).
    var layer: [Int] = []
    var vmin: Double
    var vmax: Double
    var colorMap: String
}

/// Renders 256-pixel PNG tiles of a cube variable: each tile pixel takes the value of the cube
/// pixel nearest to its centre on the pyramid level whose pixels are the largest not larger than
/// the tile's (level 0 when the tile is finer than the cube), mapped through the colour map over
/// `vmin…vmax` (clamped); missing values and pixels outside the cube are transparent.
enum TileRenderer {
    /// The level of `cube` for tiles whose pixels are `pixelSize` cube-CRS units wide.
    static func level(for pixelSize: Double, in cube: ServedCube) -> Int {
        guard pixelSize.isFinite else { return 0 }
        var chosen = 0
        for (k, level) in cube.levels.enumerated() where level.resolution <= pixelSize * (1 + 1e-9) { chosen = k }
        return chosen
    }

    /// The level tile `request`'s position draws from and the nearest level pixel of each of its
    /// pixels (-1 outside the level).
    static func placement(_ request: TileRequest, cube: ServedCube, transforms: GeographicTransforms) throws -> TilePixelCache.Placement {
        let (lon, lat) = request.matrix.pixelCenters(z: request.z, y: request.y, x: request.x)
        let k = level(for: try TileLevelPixels.centrePixelSize(lon: lon, lat: lat, transforms: transforms), in: cube)
        return TilePixelCache.Placement(level: k, pixels: try TileLevelPixels.pixels(lon: lon, lat: lat, grid: cube.levels[k].grid,
                                                                                      transforms: transforms))
    }

    /// The PNG of `request`; the placement of its position comes from `placements` when there.
    static func render(_ request: TileRequest, cube: ServedCube, transforms: GeographicTransforms,
                       placements: TilePixelCache = TilePixelCache(capacity: 0)) async throws -> [UInt8] {
        guard let colorMap = ColorMap.named(request.colorMap) else {
            throw ServeError.badRequest("cmap '\(request.colorMap)' is not a colour map this server knows (\(ColorMap.names.joined(separator: ", ")))")
        }
        let n = TileMatrix.size
        let key = TilePixelCache.Key(dataset: request.dataset, matrix: request.matrix, z: request.z, y: request.y, x: request.x)
        let placement = try placements.placement(key) { try TileRenderer.placement(request, cube: cube, transforms: transforms) }
        let k = placement.level
        let rows = placement.pixels.rows, columns = placement.pixels.columns
        var rowLow = Int.max, rowHigh = Int.min, columnLow = Int.max, columnHigh = Int.min
        for p in 0..<(n * n) where rows[p] >= 0 {
            rowLow = min(rowLow, Int(rows[p]))
            rowHigh = max(rowHigh, Int(rows[p]))
            columnLow = min(columnLow, Int(columns[p]))
            columnHigh = max(columnHigh, Int(columns[p]))
        }
        var rgba = [UInt8](repeating: 0, count: n * n * 4)
        if rowLow <= rowHigh && columnLow <= columnHigh {
            let rowRange = rowLow..<(rowHigh + 1), columnRange = columnLow..<(columnHigh + 1)
            let window = PixelWindow(rows: rowRange, columns: columnRange)
            let values = try await cube.read(cube.levels[k].reader, request.variable, timeIndex: request.timeIndex, layer: request.layer,
                                             window: window)
            let span = request.vmax - request.vmin
            for p in 0..<(n * n) where rows[p] >= 0 {
                let v = values[(Int(rows[p]) - rowRange.lowerBound) * columnRange.count + Int(columns[p]) - columnRange.lowerBound]
                guard !v.isNaN else { continue }
                let color = colorMap.color(span > 0 ? (Double(v) - request.vmin) / span : 0)
                rgba[4 * p] = color.r
                rgba[4 * p + 1] = color.g
                rgba[4 * p + 2] = color.b
                rgba[4 * p + 3] = 255
            }
        }
        return try PNGEncoder.encode(rgba: rgba, width: n, height: n)
    }
}
