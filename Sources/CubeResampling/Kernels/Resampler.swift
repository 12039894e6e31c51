/// Resamples one source plane onto one target region through a `PixelMapping`.
///
/// Kernels are synchronous, allocate nothing per pixel, and read only the window they are given;
/// all I/O happens before and after. NaN marks missing values in and out.
public enum Resampler {
    /// Fills `output` (row-major, `mapping.width × mapping.height`) from `source`.
    /// - Parameters:
    ///   - method: The resampling method.
    ///   - source: Decoded source values over `window`, row-major (`source[(r - window.rows.lowerBound) * window.columns.count + (c - window.columns.lowerBound)]`).
    ///   - window: The source window `source` covers; must contain `mapping.sourceWindow(margin: method.margin)`.
    ///   - mapping: Target pixel → fractional source position.
    ///   - output: Receives the resampled values.
    public static func resample(_ method: ResamplingMethod, source: UnsafeBufferPointer<Float>, window: SourceWindowBounds,
                                mapping: PixelMapping, into output: UnsafeMutableBufferPointer<Float>) {
        precondition(source.count >= window.rowCount * window.columnCount, "source buffer smaller than its window")
        precondition(output.count >= mapping.width * mapping.height, "output buffer smaller than the mapping")
        mapping.column.withUnsafeBufferPointer { columns in
            mapping.row.withUnsafeBufferPointer { rows in
                let geometry = KernelGeometry(mapping: mapping, window: window)
                switch method {
                case .nearest: NearestKernel.run(source: source, geometry: geometry, columns: columns, rows: rows, output: output)
                case .bilinear: BilinearKernel.run(source: source, geometry: geometry, columns: columns, rows: rows, output: output)
                default:
                    preconditionFailure("area methods need pixel corners: use ResamplingWeights(area:corners:…)")
                }
            }
        }
    }
}

/// The placement of a source buffer in its grid: first row/column and extent.
public struct SourceWindowBounds: Sendable, Hashable {
    /// The first source row held.
    public var firstRow: Int
    /// The first source column held.
    public var firstColumn: Int
    /// The number of rows held.
    public var rowCount: Int
    /// The number of columns held.
    public var columnCount: Int

    /// Creates bounds.
    public init(firstRow: Int, firstColumn: Int, rowCount: Int, columnCount: Int) {
        self.firstRow = firstRow
        self.firstColumn = firstColumn
        self.rowCount = rowCount
        self.columnCount = columnCount
    }
}

/// What kernels need to turn a fractional source position into a buffer index.
struct KernelGeometry {
    let sourceWidth: Int
    let sourceHeight: Int
    let wraps: Bool
    let firstRow: Int
    let firstColumn: Int
    let rowCount: Int
    let columnCount: Int

    init(mapping: PixelMapping, window: SourceWindowBounds) {
        sourceWidth = mapping.sourceWidth
        sourceHeight = mapping.sourceHeight
        wraps = mapping.wrapsColumns
        firstRow = window.firstRow
        firstColumn = window.firstColumn
        rowCount = window.rowCount
        columnCount = window.columnCount
    }

    /// The grid column of column index `c` (wrapped, or clamped to the grid), or -1 when outside.
    @inline(__always) func gridColumn(_ c: Int) -> Int {
        if wraps {
            let m = c % sourceWidth
            return m < 0 ? m + sourceWidth : m
        }
        return min(max(c, 0), sourceWidth - 1)
    }

    /// The buffer index of grid cell (row, column), or -1 when the window does not hold it.
    @inline(__always) func index(row: Int, column: Int) -> Int {
        let r = row - firstRow, c = column - firstColumn
        guard r >= 0, r < rowCount, c >= 0, c < columnCount else { return -1 }
        return r * columnCount + c
    }

    /// Whether a fractional position lies on the source grid.
    @inline(__always) func contains(column c: Double, row r: Double) -> Bool {
        guard r >= -0.5, r <= Double(sourceHeight) - 0.5 else { return false }
        return wraps ? c.isFinite : (c >= -0.5 && c <= Double(sourceWidth) - 0.5)
    }
}
