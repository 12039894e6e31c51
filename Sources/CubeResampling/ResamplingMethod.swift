/// A spatial resampling method, named as in GDAL/rasterio and recipes.
public enum ResamplingMethod: String, Sendable, CaseIterable, Hashable {
    /// The value of the source cell containing the target pixel centre.
    case nearest
    /// Bilinear interpolation between the four source cell centres around the target pixel centre,
    /// fill-aware: invalid neighbours are dropped and the remaining weights renormalised.
    case bilinear
    /// Cubic convolution (Keys, a = −0.5) over 4 × 4 cells; reproduces quadratic fields.
    case cubic
    /// Cubic B-spline approximation over 4 × 4 cells (GDAL's `cubicspline`); smooths, reproduces
    /// linear fields.
    case cubicSpline = "cubic_spline"
    /// Lanczos windowed sinc (a = 3) over 6 × 6 cells.
    case lanczos
    /// Area-weighted mean: each source cell weighs by its fractional overlap with the target pixel
    /// in source-grid units, as GDAL does (up-sampling repeats the containing source value).
    case average
    /// Area-weighted mean on the sphere: like `average`, but latitude overlaps of a geographic
    /// source weigh by sin(north) − sin(south), so weights are true cell areas (CDO `remapcon`).
    case conservative
    /// Root mean square, overlap-weighted: sqrt(Σ w·v² / Σ w).
    case rms
    /// Overlap-weighted sum: Σ w·v, w the fraction of each source cell inside the target pixel.
    case sum
    /// The value with the largest total overlap (the smallest such value on a tie).
    case mode
    /// The smallest value among the overlapping cells.
    case min
    /// The largest value among the overlapping cells.
    case max
    /// Overlap-weighted median.
    case med
    /// Overlap-weighted first quartile.
    case q1
    /// Overlap-weighted third quartile.
    case q3

    /// Every method name the recipe format defines (DESIGN.md §6), implemented or not.
    public static let recipeNames = ["nearest", "bilinear", "cubic", "cubic_spline", "lanczos", "average", "rms",
                                     "mode", "min", "max", "med", "q1", "q3", "sum", "conservative"]

    /// How many source cells beyond the mapped position the method reads.
    public var margin: Int {
        switch self {
        case .nearest: return 0
        case .cubic, .cubicSpline: return 2
        case .lanczos: return 3
        default: return 1
        }
    }

    /// The methods with a general reference kernel in `Resampler.resample` (the precomputed weights
    /// are checked against it).
    public static let interpolationMethods: [ResamplingMethod] = [.nearest, .bilinear]

    /// Whether the method works on pixel footprints (corners) rather than pixel centres.
    public var isArea: Bool { ![.nearest, .bilinear, .cubic, .cubicSpline, .lanczos].contains(self) }
}
