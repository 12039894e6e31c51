/// A spatial resampling method, named as in GDAL/rasterio and recipes.
public enum ResamplingMethod: String, Sendable, CaseIterable, Hashable {
    /// The value of the source cell containing the target pixel centre.
    case nearest
    /// Bilinear interpolation between the four source cell centres around the target pixel centre,
    /// fill-aware: invalid neighbours are dropped and the remaining weights renormalised.
    case bilinear

    /// Every method name the recipe format defines (DESIGN.md §6), implemented or not.
    public static let recipeNames = ["nearest", "bilinear", "cubic", "cubic_spline", "lanczos", "average", "rms",
                                     "mode", "min", "max", "med", "q1", "q3", "sum", "conservative"]

    /// How many source cells beyond the mapped position the method reads.
    public var margin: Int { self == .nearest ? 0 : 1 }
}
