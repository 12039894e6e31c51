internal import CPROJ
public import CubeCore
import Foundation

/// What PROJ says about a CRS: its kind, WKT, authority code and the CF grid-mapping attributes
/// that describe it in a cube.
public struct CRSDescription: Sendable, Hashable {
    /// The definition it was made from.
    public var definition: CRSDefinition
    /// Whether it is a geographic (longitude/latitude) CRS.
    public var isGeographic: Bool
    /// Its name, for example `"ETRS89-extended / LAEA Europe"`.
    public var name: String
    /// WKT2:2019 text (CF `crs_wkt`).
    public var wkt2: String
    /// WKT1 (GDAL flavour) text (`spatial_ref`, read by GDAL and rioxarray).
    public var wkt1: String
    /// `EPSG:NNNN` when PROJ identifies the CRS with an EPSG code.
    public var epsgCode: Int?
    /// The PROJ string (for CF parameters), when PROJ can express the CRS as one.
    public var projString: String?
    /// The ellipsoid's semi-major axis in metres and inverse flattening (0 for a sphere).
    public var ellipsoid: (semiMajorAxis: Double, inverseFlattening: Double)?

    /// Compares definitions.
    public static func == (a: CRSDescription, b: CRSDescription) -> Bool { a.definition == b.definition }
    /// Hashes the definition.
    public func hash(into hasher: inout Hasher) { hasher.combine(definition) }

    /// Describes `definition`.
    /// - Throws: `CubeError` (`.projection`) naming the definition when PROJ does not know it or it
    ///   is not a 2-D geographic or projected CRS.
    public init(_ definition: CRSDefinition) throws {
        self.definition = definition
        let context = PROJContext()
        let crs: OpaquePointer
        do {
            crs = try context.crs(definition.text)
        } catch {
            throw CubeError(.projection, "unknown CRS '\(definition)': \(error.reason)", context: ["crs": definition.text],
                            underlying: error)
        }
        var horizontal = crs
        if proj_get_type(crs) == PJ_TYPE_COMPOUND_CRS, let sub = proj_crs_get_sub_crs(context.context, crs, 0) {
            horizontal = context.own(sub)
        }
        switch proj_get_type(horizontal) {
        case PJ_TYPE_GEOGRAPHIC_2D_CRS, PJ_TYPE_GEOGRAPHIC_3D_CRS: isGeographic = true
        case PJ_TYPE_PROJECTED_CRS: isGeographic = false
        default:
            throw CubeError(.projection, "'\(definition)' is not a geographic or projected CRS", context: ["crs": definition.text])
        }
        name = proj_get_name(horizontal).map { String(cString: $0) } ?? definition.text
        wkt2 = proj_as_wkt(context.context, horizontal, PJ_WKT2_2019, nil).map { String(cString: $0) } ?? ""
        wkt1 = proj_as_wkt(context.context, horizontal, PJ_WKT1_GDAL, nil).map { String(cString: $0) } ?? wkt2
        projString = proj_as_proj_string(context.context, horizontal, PJ_PROJ_5, nil).map { String(cString: $0) }
        epsgCode = CRSDescription.epsg(of: horizontal, context: context)
        if let ellipsoidObject = proj_get_ellipsoid(context.context, horizontal) {
            _ = context.own(ellipsoidObject)
            var a = 0.0, b = 0.0, computed: Int32 = 0, rf = 0.0
            if proj_ellipsoid_get_parameters(context.context, ellipsoidObject, &a, &b, &computed, &rf) != 0 {
                ellipsoid = (a, rf)
            }
        }
    }

    private static func epsg(of crs: OpaquePointer, context: PROJContext) -> Int? {
        if let authority = proj_get_id_auth_name(crs, 0), String(cString: authority) == "EPSG",
            let code = proj_get_id_code(crs, 0) {
            return Int(String(cString: code))
        }
        // Not tagged: ask PROJ for an equivalent EPSG CRS with 100 % confidence.
        var confidence: UnsafeMutablePointer<Int32>?
        guard let matches = proj_identify(context.context, crs, "EPSG", nil, &confidence) else { return nil }
        defer {
            proj_list_destroy(matches)
            proj_int_list_destroy(confidence)
        }
        guard proj_list_get_count(matches) > 0, let confidence, confidence[0] == 100,
            let best = proj_list_get(context.context, matches, 0)
        else { return nil }
        defer { proj_destroy(best) }
        return proj_get_id_code(best, 0).flatMap { Int(String(cString: $0)) }
    }
}
