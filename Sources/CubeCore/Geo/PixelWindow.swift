/// A rectangle of pixels: rows `rows` and columns `columns` of a 2-D grid.
public struct PixelWindow: Hashable, Sendable, CustomStringConvertible {
    /// The row range.
    public var rows: Range<Int>
    /// The column range.
    public var columns: Range<Int>

    /// Creates a window.
    public init(rows: Range<Int>, columns: Range<Int>) {
        self.rows = rows
        self.columns = columns
    }

    /// The number of pixels.
    public var count: Int { rows.count * columns.count }
    /// Whether it holds no pixel.
    public var isEmpty: Bool { rows.isEmpty || columns.isEmpty }

    /// Whether `other` lies inside this window.
    public func contains(_ other: PixelWindow) -> Bool {
        other.isEmpty || (rows.lowerBound <= other.rows.lowerBound && rows.upperBound >= other.rows.upperBound
            && columns.lowerBound <= other.columns.lowerBound && columns.upperBound >= other.columns.upperBound)
    }

    /// Whether the windows share a pixel.
    public func intersects(_ other: PixelWindow) -> Bool {
        !isEmpty && !other.isEmpty && rows.overlaps(other.rows) && columns.overlaps(other.columns)
    }

    /// The smallest window holding both.
    public func union(_ other: PixelWindow) -> PixelWindow {
        if isEmpty { return other }
        if other.isEmpty { return self }
        return PixelWindow(
            rows: min(rows.lowerBound, other.rows.lowerBound)..<max(rows.upperBound, other.rows.upperBound),
            columns: min(columns.lowerBound, other.columns.lowerBound)..<max(columns.upperBound, other.columns.upperBound))
    }

    /// `rows × columns` as text.
    public var description: String { "rows \(rows.lowerBound)..<\(rows.upperBound), columns \(columns.lowerBound)..<\(columns.upperBound)" }
}
