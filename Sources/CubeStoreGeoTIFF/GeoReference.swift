public import CubeCore

/// Where a GeoTIFF's pixels are: the centres of its first column and row and the steps between
/// them, from `ModelTransformationTag`, or `ModelPixelScaleTag` with one `ModelTiepointTag`,
/// under the raster type (pixel is area: a tie point names a pixel's corner; pixel is point: its
/// centre, which GDAL also honours by default).
public struct GeoReference: Hashable, Sendable {
    /// The x of column 0's centre.
    public var xOrigin: Double
    /// The x step between columns.
    public var xStep: Double
    /// The y of row 0's centre.
    public var yOrigin: Double
    /// The y step between rows (negative for north-up images).
    public var yStep: Double

    /// Creates a reference from centre origins and steps.
    public init(xOrigin: Double, xStep: Double, yOrigin: Double, yStep: Double) {
        self.xOrigin = xOrigin
        self.xStep = xStep
        self.yOrigin = yOrigin
        self.yStep = yStep
    }

    /// Reads the georeferencing tags.
    /// - Parameters:
    ///   - scale: `ModelPixelScaleTag` (sx, sy, sz), empty when absent.
    ///   - tiepoints: `ModelTiepointTag` (I, J, K, X, Y, Z, …), empty when absent.
    ///   - transformation: `ModelTransformationTag` (4 × 4, row-major), empty when absent.
    ///   - rasterType: Whether coordinates name pixel corners or centres.
    ///   - path: The file, for messages.
    /// - Returns: The reference, or `nil` when the file has none of the tags.
    /// - Throws: `CubeError` for rotated or sheared images, ground control points without a
    ///   scale, or degenerate values.
    public static func make(scale: [Double], tiepoints: [Double], transformation: [Double],
                            rasterType: GeoKeys.RasterType, path: String) throws -> GeoReference? {
        // The pixel coordinate of a pixel's centre, relative to the point the tags describe.
        let centre = rasterType == .pixelIsArea ? 0.5 : 0
        var reference: GeoReference
        if transformation.count >= 16 {
            guard transformation[1] == 0, transformation[4] == 0 else {
                throw CubeError(.unsupported,
                    "'\(path)' is rotated or sheared (ModelTransformationTag has off-diagonal terms); warp it north-up first (gdalwarp)",
                    context: ["file": path])
            }
            let a = transformation[0], c = transformation[3], e = transformation[5], f = transformation[7]
            reference = GeoReference(xOrigin: c + a * centre, xStep: a, yOrigin: f + e * centre, yStep: e)
        } else if scale.count >= 2, tiepoints.count >= 6 {
            if tiepoints.count > 6 {
                throw CubeError(.unsupported, "'\(path)' has \(tiepoints.count / 6) tie points (ground control points); warp it to a regular grid first (gdalwarp)",
                                context: ["file": path])
            }
            let (i, j, x, y) = (tiepoints[0], tiepoints[1], tiepoints[3], tiepoints[4])
            let sx = scale[0], sy = scale[1]
            reference = GeoReference(xOrigin: x + (centre - i) * sx, xStep: sx, yOrigin: y - (centre - j) * sy, yStep: -sy)
        } else if scale.isEmpty, tiepoints.count > 6 {
            throw CubeError(.unsupported, "'\(path)' is georeferenced by ground control points only; warp it to a regular grid first (gdalwarp)",
                            context: ["file": path])
        } else {
            return nil
        }
        guard [reference.xOrigin, reference.xStep, reference.yOrigin, reference.yStep].allSatisfy(\.isFinite),
              reference.xStep != 0, reference.yStep != 0 else {
            throw CubeError(.invalidInput, "'\(path)': its pixel size or origin is zero or not finite", context: ["file": path])
        }
        return reference
    }

    /// The centres of `count` columns.
    public func xCentres(_ count: Int) -> [Double] { (0..<count).map { xOrigin + Double($0) * xStep } }
    /// The centres of `count` rows.
    public func yCentres(_ count: Int) -> [Double] { (0..<count).map { yOrigin + Double($0) * yStep } }
}
