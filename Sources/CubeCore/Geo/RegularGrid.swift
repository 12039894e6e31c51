/// Whether row 0 of a grid is its northern (top) or southern (bottom) edge.
public enum YAxisDirection: String, Sendable, Hashable {
    /// Row 0 is the top; y decreases with the row index (north-up, the default).
    case descending
    /// Row 0 is the bottom; y increases with the row index.
    case ascending
}

/// A regular grid in a CRS: outer pixel edges, pixel size and pixel count.
///
/// Pixel `(i, j)` has its centre at `x = xMin + (i + 0.5)·xResolution` and, for a descending y axis,
/// `y = yMax − (j + 0.5)·yResolution` (ascending: `yMin + (j + 0.5)·yResolution`).
public struct RegularGrid: Hashable, Sendable {
    /// The CRS of the coordinates.
    public var crs: CRSDefinition
    /// Whether the CRS is geographic (degrees of longitude/latitude).
    public var isGeographic: Bool
    /// The left edge of column 0.
    public var xMin: Double
    /// The bottom edge of the grid.
    public var yMin: Double
    /// The pixel width (> 0).
    public var xResolution: Double
    /// The pixel height (> 0).
    public var yResolution: Double
    /// The number of columns.
    public var width: Int
    /// The number of rows.
    public var height: Int
    /// The direction of the y axis.
    public var yAxis: YAxisDirection

    /// Creates a grid.
    public init(crs: CRSDefinition, isGeographic: Bool, xMin: Double, yMin: Double, xResolution: Double,
                yResolution: Double, width: Int, height: Int, yAxis: YAxisDirection) {
        self.crs = crs
        self.isGeographic = isGeographic
        self.xMin = xMin
        self.yMin = yMin
        self.xResolution = xResolution
        self.yResolution = yResolution
        self.width = width
        self.height = height
        self.yAxis = yAxis
    }

    /// The right edge of the last column.
    public var xMax: Double { xMin + Double(width) * xResolution }
    /// The top edge of the grid.
    public var yMax: Double { yMin + Double(height) * yResolution }

    /// The x coordinate of the centre of column `i`.
    @inline(__always) public func xCenter(_ i: Int) -> Double { xMin + (Double(i) + 0.5) * xResolution }

    /// The y coordinate of the centre of row `j`.
    @inline(__always) public func yCenter(_ j: Int) -> Double {
        yAxis == .descending ? yMax - (Double(j) + 0.5) * yResolution : yMin + (Double(j) + 0.5) * yResolution
    }

    /// The (lower, upper) x edges of column `i`.
    public func xBounds(_ i: Int) -> (Double, Double) { (xMin + Double(i) * xResolution, xMin + Double(i + 1) * xResolution) }

    /// The y edges of row `j`, in row order (top then bottom for a descending axis).
    public func yBounds(_ j: Int) -> (Double, Double) {
        yAxis == .descending
            ? (yMax - Double(j) * yResolution, yMax - Double(j + 1) * yResolution)
            : (yMin + Double(j) * yResolution, yMin + Double(j + 1) * yResolution)
    }

    /// The grid whose pixel centres are this grid's pixel corners: one more row and column,
    /// shifted by half a pixel. Corner (i, j) of pixel (i, j) is its top-left corner for a
    /// descending y axis (bottom-left for ascending); row/column `n` closes the grid.
    public var cornerLattice: RegularGrid {
        RegularGrid(crs: crs, isGeographic: isGeographic, xMin: xMin - xResolution / 2, yMin: yMin - yResolution / 2,
                    xResolution: xResolution, yResolution: yResolution, width: width + 1, height: height + 1, yAxis: yAxis)
    }
}
