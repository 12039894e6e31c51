public import CubeCore
import Foundation

/// What a GeoTIFF's GeoKeys say about its CRS and raster convention, as libgeotiff normalises
/// them (`GTIFKeyGet`, `GTIFGetDefn`, `GTIFGetProj4Defn`).
public struct GeoKeys: Hashable, Sendable {
    /// `GTModelTypeGeoKey` values.
    public enum ModelType: Int, Sendable {
        /// `ModelTypeProjected`.
        case projected = 1
        /// `ModelTypeGeographic`.
        case geographic = 2
        /// `ModelTypeGeocentric`.
        case geocentric = 3
    }

    /// `GTRasterTypeGeoKey`: which point of a pixel its coordinates name.
    public enum RasterType: Int, Sendable, CustomStringConvertible {
        /// `RasterPixelIsArea` (the default): the tie point is a pixel's upper-left corner.
        case pixelIsArea = 1
        /// `RasterPixelIsPoint`: the tie point is a pixel's centre.
        case pixelIsPoint = 2

        /// `pixel is area` or `pixel is point`.
        public var description: String { self == .pixelIsArea ? "pixel is area" : "pixel is point" }
    }

    /// The model type, `nil` when the key is absent or unknown.
    public var modelType: ModelType?
    /// The raster type (area when absent, as the GeoTIFF specification says).
    public var rasterType: RasterType
    /// `ProjectedCSTypeGeoKey`: an EPSG code, or `nil` when absent or user-defined (32767).
    public var projectedCode: Int?
    /// `GeographicTypeGeoKey`: an EPSG code, or `nil` when absent or user-defined (32767).
    public var geographicCode: Int?
    /// The CRS as a PROJ string, when libgeotiff could build one from the keys (user-defined CRSs).
    public var proj4: String?

    /// Creates key facts.
    public init(modelType: ModelType?, rasterType: RasterType = .pixelIsArea, projectedCode: Int? = nil,
                geographicCode: Int? = nil, proj4: String? = nil) {
        self.modelType = modelType
        self.rasterType = rasterType
        self.projectedCode = projectedCode
        self.geographicCode = geographicCode
        self.proj4 = proj4
    }

    /// The code a GeoKey holds for "user-defined".
    public static let userDefined = 32767

    /// Keeps a key's EPSG code when it is one (not absent, not user-defined).
    public static func code(_ value: Int) -> Int? { value > 0 && value != userDefined ? value : nil }

    /// The CRS: the EPSG code when the keys name one, else the PROJ string libgeotiff built from
    /// the user-defined keys (`+type=crs` appended, so PROJ reads it as a CRS).
    /// - Parameter path: The file, for messages.
    /// - Throws: `CubeError` (`.unsupported`) for geocentric models or keys without a usable CRS.
    public func crs(path: String) throws -> (crs: CRSDefinition, isGeographic: Bool) {
        let isGeographic: Bool
        switch modelType {
        case .projected: isGeographic = false
        case .geographic: isGeographic = true
        case .geocentric:
            throw CubeError(.unsupported, "'\(path)': geocentric GeoTIFFs (GTModelTypeGeoKey 3) are not supported", context: ["file": path])
        case nil:
            // No model type: a projected code or a geographic code still decides.
            isGeographic = projectedCode == nil && geographicCode != nil
        }
        if !isGeographic, let code = projectedCode { return (CRSDefinition("EPSG:\(code)"), false) }
        if isGeographic, let code = geographicCode { return (CRSDefinition("EPSG:\(code)"), true) }
        if let proj4, !proj4.trimmingCharacters(in: .whitespaces).isEmpty {
            let text = proj4.trimmingCharacters(in: .whitespaces)
            return (CRSDefinition(text.contains("+type=crs") ? text : text + " +type=crs"), isGeographic)
        }
        throw CubeError(.invalidInput,
            "'\(path)': its GeoKeys name no CRS libgeotiff can resolve; give the source's crs in the recipe",
            context: ["file": path])
    }
}
