/// A source grid of cells that is not a 2-D raster: its values are one 1-D array (`values`), cell
/// `k` at position `k`, and where a cell lies follows from the grid's definition alone.
///
/// CubeCore only describes the grid; the cell geometry (which cell holds a point, interpolation
/// stencils, cell boundaries) lives in `CubeHEALPix` and `CubeGaussianGrid`, and resampling reads it
/// through `CubeResampling`'s `CellLayout`.
public enum CellGridGeometry: Hashable, Sendable {
    /// A HEALPix grid (Górski et al. 2005) of `12·nside²` equal-area cells, in nested or ring order,
    /// in the standard orientation (the first pixel of ring 1 at 45° E).
    case healpix(nside: Int, nested: Bool)
    /// A global reduced Gaussian grid: `2·n` Gaussian latitudes north to south, row `r` holding
    /// `pointsPerRow[r]` points equally spaced from 0° E (octahedral O-N when the counts are
    /// `20, 24, …, 4n+16` and back).
    case reducedGaussian(n: Int, pointsPerRow: [Int])

    /// The number of cells (the length of the `values` array).
    public var count: Int {
        switch self {
        case let .healpix(nside, _): return 12 * nside * nside
        case let .reducedGaussian(_, rows): return rows.reduce(0, +)
        }
    }

    /// The square root of the mean cell area, in degrees of arc: a cell's typical width.
    public var meanSpacingDegrees: Double {
        (4 * Double.pi / Double(max(count, 1))).squareRoot() * 180 / Double.pi
    }

    /// A short human description (`HEALPix nested, Nside 64`, `reduced Gaussian O32 …`).
    public var summary: String {
        switch self {
        case let .healpix(nside, nested):
            return "HEALPix \(nested ? "nested" : "ring"), Nside \(nside), \(count) cells"
        case let .reducedGaussian(n, rows):
            let octahedral = rows.count == 2 * n && (0..<n).allSatisfy { rows[$0] == 20 + 4 * $0 }
            return "reduced Gaussian \(octahedral ? "O" : "N")\(n), \(rows.count) rows, \(count) cells"
        }
    }
}
