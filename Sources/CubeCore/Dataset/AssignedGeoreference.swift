/// Georeferencing a recipe gives to rasters that lack it (or whose own it replaces), as
/// `gdal_translate -a_srs … -a_gt …` does: a CRS and/or a GDAL geotransform.
///
/// The geotransform is GDAL's six numbers `[x0, dx, rx, y0, ry, dy]`: `(x0, y0)` is the outer
/// corner of the top-left pixel, `dx`/`dy` the pixel size (`dy` negative for north-up images) and
/// `rx`/`ry` the rotation terms, which must be 0.
public struct AssignedGeoreference: Hashable, Sendable {
    /// The CRS, when the recipe gives one.
    public var crs: CRSDefinition?
    /// Whether `crs` is geographic (longitude/latitude); the caller resolves it (PROJ).
    public var isGeographic: Bool
    /// The GDAL geotransform, when the recipe gives one.
    public var geotransform: [Double]?

    /// Creates an assignment.
    /// - Throws: `CubeError` when the geotransform is not six finite numbers, is rotated, or
    ///   has a zero pixel size.
    public init(crs: CRSDefinition?, isGeographic: Bool, geotransform: [Double]?) throws {
        if let g = geotransform {
            guard g.count == 6, g.allSatisfy(\.isFinite) else {
                throw CubeError(.invalidInput, "geotransform must be six finite numbers [x0, dx, 0, y0, 0, dy], got \(g)")
            }
            guard g[2] == 0, g[4] == 0 else {
                throw CubeError(.unsupported, "geotransform \(g) is rotated (terms 3 and 5 must be 0); warp the raster north-up first")
            }
            guard g[1] != 0, g[5] != 0 else {
                throw CubeError(.invalidInput, "geotransform \(g) has a zero pixel size")
            }
        }
        self.crs = crs
        self.isGeographic = isGeographic
        self.geotransform = geotransform
    }

    /// The centre of column 0, the column step, the centre of row 0 and the row step.
    public var centres: (xOrigin: Double, xStep: Double, yOrigin: Double, yStep: Double)? {
        guard let g = geotransform else { return nil }
        return (g[0] + g[1] / 2, g[1], g[3] + g[5] / 2, g[5])
    }
}

/// A data store whose datasets can be given georeferencing by the recipe (`crs:`, `geotransform:`
/// on a source).
public protocol GeoreferenceAssigningStore: DataStore {
    /// The same store, applying `georeference` to every dataset it describes and opens.
    func assigning(_ georeference: AssignedGeoreference) -> any DataStore
}
