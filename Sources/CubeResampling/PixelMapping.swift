public import CubeCore

/// For every pixel of a target region, the fractional source pixel position of its centre.
///
/// Index `k` along an axis is the centre of source cell `k`; the source's valid domain is
/// `-0.5 … n-0.5`. Computed once per target region and reused for every variable and time step.
/// Layout: row-major over the region, `column[j * width + i]` for region row `j`, column `i`.
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

    /// Creates a mapping from precomputed positions.
    public init(width: Int, height: Int, column: [Double], row: [Double], sourceWidth: Int, sourceHeight: Int,
                wrapsColumns: Bool) {
        precondition(column.count == width * height && row.count == width * height, "mapping size mismatch")
        self.width = width
        self.height = height
        self.column = column
        self.row = row
        self.sourceWidth = sourceWidth
        self.sourceHeight = sourceHeight
        self.wrapsColumns = wrapsColumns
    }

    /// Computes the mapping of `rows` × `columns` of `target` onto `source`.
    ///
    /// Target pixel centres are transformed in one batch per region with `transform` (target CRS →
    /// source CRS), then converted to fractional source indices through the source axes. For a
    /// geographic source, longitudes are first brought into the source's 360° range.
    public static func compute(target: RegularGrid, rows: Range<Int>, columns: Range<Int>, source: SourceGrid,
                               transform: any CoordinateTransform) -> PixelMapping {
        let width = columns.count, height = rows.count
        var xs = [Double](repeating: 0, count: width * height)
        var ys = [Double](repeating: 0, count: width * height)
        for (j, row) in rows.enumerated() {
            let y = target.yCenter(row)
            for (i, column) in columns.enumerated() {
                xs[j * width + i] = target.xCenter(column)
                ys[j * width + i] = y
            }
        }
        xs.withUnsafeMutableBufferPointer { x in ys.withUnsafeMutableBufferPointer { y in transform.transform(x: x, y: y) } }
        let west = source.longitudeWestEdge
        for k in 0..<xs.count {
            guard xs[k].isFinite, ys[k].isFinite else {
                xs[k] = .nan
                ys[k] = .nan
                continue
            }
            var x = xs[k]
            if source.isGeographic {
                x = west + (x - west).truncatingRemainder(dividingBy: 360)
                if x < west { x += 360 }
            }
            xs[k] = source.x.fractionalIndex(x)
            ys[k] = source.y.fractionalIndex(ys[k])
        }
        return PixelMapping(width: width, height: height, column: xs, row: ys, sourceWidth: source.width,
                            sourceHeight: source.height, wrapsColumns: source.wrapsLongitude)
    }

    /// The source window a method needs for this region, or `nil` when no target pixel falls on the
    /// source. With wrapping columns, a window that would cross the seam spans the full width.
    public func sourceWindow(margin: Int) -> PixelWindow? {
        var minRow = Int.max, maxRow = Int.min, minColumn = Int.max, maxColumn = Int.min
        for k in 0..<column.count {
            let c = column[k], r = row[k]
            guard c.isFinite, r.isFinite, r >= -0.5, r <= Double(sourceHeight) - 0.5 else { continue }
            guard wrapsColumns || (c >= -0.5 && c <= Double(sourceWidth) - 0.5) else { continue }
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
}
