public import CubeCore

/// For every pixel of a target region, the fractional source pixel position of its centre.
///
/// Index `k` along an axis is the centre of source cell `k`; the source's valid domain is
/// `-0.5 … n-0.5`. Computed once per target region and reused for every variable and time step.
/// Layout: row-major over the region, `column[j * width + i]` for region row `j`, column `i`.
/// For a cell grid source (`isCellGrid`) the positions are longitude (`column`) and latitude
/// (`row`) in degrees: its cells are found from them by `CellLayout`.
public struct PixelMapping: Sendable {
    /// The region's width in pixels.
    public let width: Int
    /// The region's height in pixels.
    public let height: Int
    /// Fractional source column per target pixel (NaN where the point has no source position).
    public let column: [Double]
    /// Fractional source row per target pixel (NaN where the point has no source position).
    public let row: [Double]
    /// The source grid's size.
    public let sourceWidth: Int
    /// The source grid's height.
    public let sourceHeight: Int
    /// Whether source columns wrap around (a global longitude axis).
    public let wrapsColumns: Bool
    /// Whether the source is a cell grid (positions are longitude/latitude).
    public let isCellGrid: Bool

    /// Creates a mapping from precomputed positions.
    public init(width: Int, height: Int, column: [Double], row: [Double], sourceWidth: Int, sourceHeight: Int,
                wrapsColumns: Bool, isCellGrid: Bool = false) {
        precondition(column.count == width * height && row.count == width * height, "mapping size mismatch")
        self.width = width
        self.height = height
        self.column = column
        self.row = row
        self.sourceWidth = sourceWidth
        self.sourceHeight = sourceHeight
        self.wrapsColumns = wrapsColumns
        self.isCellGrid = isCellGrid
    }

    /// Computes the mapping of `rows` × `columns` of `target` onto `source`.
    ///
    /// Target pixel centres go through `transform` (target CRS → source CRS) and then to
    /// fractional source indices through the source axes; for a geographic source, longitudes are
    /// first brought into the source's 360° range (a global grid), or within 180° of its centre
    /// (a regional grid).
    ///
    /// With `maxError` > 0, each scanline is approximated like GDAL's approximate transformer:
    /// the ends and the middle of a segment are transformed exactly; if linear interpolation
    /// between the ends misses the middle by at most `maxError` source pixels on both axes, the
    /// segment is interpolated, else it is split in two and each half is treated the same way.
    /// `maxError` 0 transforms every pixel exactly, in one batch per region.
    public static func compute(target: RegularGrid, rows: Range<Int>, columns: Range<Int>, source: SourceGrid,
                               transform: any CoordinateTransform, maxError: Double = 0) -> PixelMapping {
        let width = columns.count, height = rows.count
        // On a cell grid positions are degrees: the error allowed is in cells of its mean spacing.
        let maxError = source.cells.map { maxError * $0.meanSpacingDegrees } ?? maxError
        var xs = [Double](repeating: 0, count: width * height)
        var ys = [Double](repeating: 0, count: width * height)
        if maxError > 0 && width > 2 {
            let line = ScanlineApproximation(target: target, source: source, transform: transform, maxError: maxError)
            for (j, row) in rows.enumerated() {
                line.fill(row: row, columns: columns, xs: &xs, ys: &ys, offset: j * width)
            }
        } else {
            for (j, row) in rows.enumerated() {
                let y = target.yCenter(row)
                for (i, column) in columns.enumerated() {
                    xs[j * width + i] = target.xCenter(column)
                    ys[j * width + i] = y
                }
            }
            xs.withUnsafeMutableBufferPointer { x in ys.withUnsafeMutableBufferPointer { y in transform.transform(x: x, y: y) } }
            for k in 0..<xs.count { (xs[k], ys[k]) = sourceIndex(xs[k], ys[k], in: source) }
        }
        return PixelMapping(width: width, height: height, column: xs, row: ys, sourceWidth: source.width,
                            sourceHeight: source.height, wrapsColumns: source.wrapsLongitude, isCellGrid: source.cells != nil)
    }

    /// Computes the mapping of a lattice of target pixels, any `rows` × `columns` (a sample of the
    /// grid, not necessarily contiguous), in one batch through `transform`, exactly (no
    /// approximation): the same positions as `compute` gives those pixels one by one.
    public static func compute(target: RegularGrid, sampleRows rows: [Int], sampleColumns columns: [Int], source: SourceGrid,
                               transform: any CoordinateTransform) -> PixelMapping {
        compute(sampleCoordinates: sampleCoordinates(target: target, sampleRows: rows, sampleColumns: columns, transform: transform),
                width: columns.count, height: rows.count, source: source)
    }

    /// The centres of target pixels `rows × columns` (row-major) in the source CRS, as `transform`
    /// gives them: the expensive half of `compute(target:sampleRows:sampleColumns:source:transform:)`,
    /// which every source grid in that CRS can share (the tiles of a mosaic).
    public static func sampleCoordinates(target: RegularGrid, sampleRows rows: [Int], sampleColumns columns: [Int],
                                         transform: any CoordinateTransform) -> (x: [Double], y: [Double]) {
        var xs = [Double](), ys = [Double]()
        xs.reserveCapacity(rows.count * columns.count)
        ys.reserveCapacity(rows.count * columns.count)
        for row in rows {
            let y = target.yCenter(row)
            for column in columns {
                xs.append(target.xCenter(column))
                ys.append(y)
            }
        }
        xs.withUnsafeMutableBufferPointer { x in ys.withUnsafeMutableBufferPointer { y in transform.transform(x: x, y: y) } }
        return (xs, ys)
    }

    /// The mapping of `width × height` sample points, given in the source CRS
    /// (`sampleCoordinates`), onto `source`'s pixel indices.
    public static func compute(sampleCoordinates coordinates: (x: [Double], y: [Double]), width: Int, height: Int,
                               source: SourceGrid) -> PixelMapping {
        precondition(coordinates.x.count == width * height && coordinates.y.count == width * height,
                     "\(coordinates.x.count) sample coordinates for \(width) × \(height) points")
        var xs = coordinates.x, ys = coordinates.y
        for k in 0..<xs.count { (xs[k], ys[k]) = sourceIndex(xs[k], ys[k], in: source) }
        return PixelMapping(width: width, height: height, column: xs, row: ys, sourceWidth: source.width,
                            sourceHeight: source.height, wrapsColumns: source.wrapsLongitude, isCellGrid: source.cells != nil)
    }

    /// Fractional source indices of a point in source CRS coordinates (NaN when not finite).
    static func sourceIndex(_ x: Double, _ y: Double, in source: SourceGrid) -> (Double, Double) {
        guard x.isFinite, y.isFinite else { return (.nan, .nan) }
        if source.cells != nil { return abs(y) <= 90 ? (x, y) : (.nan, .nan) }
        if let geolocation = source.geolocation {
            let position = geolocation.fractionalIndex(longitude: x, latitude: y)
            return (position.column, position.row)
        }
        var lon = x
        if source.isGeographic {
            let west = source.longitudeWestEdge
            if source.wrapsLongitude {
                lon = west + (x - west).truncatingRemainder(dividingBy: 360)
                if lon < west { lon += 360 }
            } else {
                // A regional grid (a tile): the longitude's representation nearest the grid's
                // centre, so a point just west of the grid stays just west (not 360° east).
                let edges = source.x.outerEdges
                let centre = (edges.first + edges.last) / 2
                lon = centre + (x - centre).remainder(dividingBy: 360)
            }
        }
        return (source.x.fractionalIndex(lon), source.y.fractionalIndex(y))
    }

    /// The source window a method needs for this region, or `nil` when no target pixel falls on the
    /// source. With wrapping columns, a window that would cross the seam spans the full width.
    public func sourceWindow(margin: Int) -> PixelWindow? {
        if isCellGrid {
            // A cell grid is read whole (one decoded message, shared by every task through the plane cache).
            guard column.indices.contains(where: { column[$0].isFinite && row[$0].isFinite }) else { return nil }
            return PixelWindow(rows: 0..<1, columns: 0..<sourceWidth)
        }
        var minRow = Int.max, maxRow = Int.min, minColumn = Int.max, maxColumn = Int.min
        for k in 0..<column.count where isOnSource(k) {
            let c = column[k], r = row[k]
            let r0 = Int(r.rounded(.down)), c0 = Int(c.rounded(.down))
            minRow = min(minRow, r0 - margin)
            maxRow = max(maxRow, r0 + 1 + margin)
            minColumn = min(minColumn, c0 - margin)
            maxColumn = max(maxColumn, c0 + 1 + margin)
        }
        guard minRow <= maxRow else { return nil }
        let rows = max(0, minRow)..<min(sourceHeight, maxRow + 1)
        var columns = max(0, minColumn)..<min(sourceWidth, maxColumn + 1)
        if wrapsColumns && (minColumn < 0 || maxColumn >= sourceWidth) { columns = 0..<sourceWidth }
        return PixelWindow(rows: rows, columns: columns)
    }

    /// How many of the mapped points fall on the source (those `sourceWindow` reads for).
    public var pointsOnSource: Int {
        if isCellGrid { return column.indices.count(where: { column[$0].isFinite && row[$0].isFinite }) }
        return column.indices.count(where: { isOnSource($0) })
    }

    /// Whether point `k` falls on the (non-cell) source grid.
    private func isOnSource(_ k: Int) -> Bool {
        let c = column[k], r = row[k]
        guard c.isFinite, r.isFinite, r >= -0.5, r <= Double(sourceHeight) - 0.5 else { return false }
        return wrapsColumns || (c >= -0.5 && c <= Double(sourceWidth) - 0.5)
    }
}
