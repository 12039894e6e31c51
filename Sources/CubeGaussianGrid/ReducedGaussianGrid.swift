/// A (reduced) Gaussian grid: rows at the Gaussian latitudes, each with its own number of equally
/// spaced points starting at longitude 0, numbered row by row from the north, west to east.
///
/// ECMWF's octahedral grid O-N has `4i + 16` points on the i-th row from either pole; classic reduced
/// Gaussian grids (GRIB's `pl` array) list the counts; a regular Gaussian grid F-N has `4N` on every row.
public struct ReducedGaussianGrid: Sendable, Hashable {
    /// The Gaussian latitudes of the rows.
    public let latitudes: GaussianLatitudes
    /// Points on each row, north to south.
    public let pointsPerRow: [Int]
    /// The index of each row's first point; `rowStarts[r + 1] − rowStarts[r] = pointsPerRow[r]`.
    public let rowStarts: [Int]

    /// The octahedral grid O-`n` (`4i + 16` points on row `i` from either pole).
    ///
    /// - Precondition: `n ≥ 1`.
    public static func octahedral(_ n: Int) -> ReducedGaussianGrid {
        try! ReducedGaussianGrid(n: n, pointsPerRow: octahedralPointsPerRow(n))
    }

    /// The points per row of O-`n`, north to south (what GRIB's `pl` holds for an octahedral grid).
    public static func octahedralPointsPerRow(_ n: Int) -> [Int] {
        let north = (1...max(1, n)).map { 4 * $0 + 16 }
        return north + north.reversed()
    }

    /// The regular Gaussian grid F-`n` (`4n` points on every row).
    public static func regular(_ n: Int) -> ReducedGaussianGrid {
        try! ReducedGaussianGrid(n: n, pointsPerRow: Array(repeating: 4 * n, count: 2 * n))
    }

    /// A grid with `n` latitudes per hemisphere and the given points per row (GRIB's `pl`).
    ///
    /// - Throws: `GaussianGridError.badRows` unless there are `2n` rows, each with at least one point.
    public init(n: Int, pointsPerRow: [Int]) throws(GaussianGridError) {
        guard n >= 1, pointsPerRow.count == 2 * n, pointsPerRow.allSatisfy({ $0 >= 1 }) else {
            throw .badRows(n: n, rows: pointsPerRow.count)
        }
        self.latitudes = GaussianLatitudes(n: n)
        self.pointsPerRow = pointsPerRow
        var starts = [0]
        starts.reserveCapacity(pointsPerRow.count + 1)
        for count in pointsPerRow { starts.append(starts[starts.count - 1] + count) }
        self.rowStarts = starts
    }

    /// The number of rows, `2N`.
    public var rowCount: Int { pointsPerRow.count }

    /// The number of points.
    public var pointCount: Int { rowStarts[rowStarts.count - 1] }

    /// The longitude of point `k` of row `r`, degrees in `[0, 360)`.
    public func longitude(row r: Int, position k: Int) -> Double { Double(k) * 360 / Double(pointsPerRow[r]) }

    /// The latitude and longitude (degrees) of point `index`.
    public func location(of index: Int) -> (latitude: Double, longitude: Double) {
        precondition(index >= 0 && index < pointCount, "point \(index) outside 0..<\(pointCount)")
        var lo = 0, hi = rowCount - 1
        while lo < hi {   // the last row whose start is ≤ index
            let mid = (lo + hi + 1) >> 1
            if rowStarts[mid] <= index { lo = mid } else { hi = mid - 1 }
        }
        return (latitudes.latitudes[lo], longitude(row: lo, position: index - rowStarts[lo]))
    }
}

/// Why a reduced Gaussian grid cannot be made.
public enum GaussianGridError: Error, Equatable, Sendable, CustomStringConvertible {
    /// The points-per-row list does not have `2N` positive entries.
    case badRows(n: Int, rows: Int)

    /// One line naming the mismatch.
    public var description: String {
        switch self {
        case let .badRows(n, rows):
            return "a Gaussian grid with N = \(n) needs \(2 * n) rows of at least one point, got \(rows) rows"
        }
    }
}
