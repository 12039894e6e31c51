import CubeCore
import CubeProjection
import Zarr

/// The zarr-conventions attributes of a pyramid, for clients that read `multiscales` rather than
/// xcube's `.zlevels`: `multiscales` (v1), `proj:` (v1) and `spatial:` (v0.1), registered in
/// `zarr_conventions` as each convention's own text gives its entry.
///
/// The levels group (`NAME.levels`) gets all three: one `multiscales.layout` entry per level
/// (`asset` the level's node: `0.link`, xcube's link to the cube, then `1.zarr`, …), each level
/// `k ≥ 1` `derived_from` level 0 with `transform.scale` `[2^k, 2^k]` (levels are computed from
/// level-0 pixels directly, see `PyramidLayout`), its `resampling_method`, `spatial:shape` and
/// `spatial:transform`; `proj:wkt2` (and `proj:code` when PROJ finds an EPSG code);
/// `spatial:dimensions` and the cube's `spatial:bbox`. Each level group `k.zarr` gets `proj:` and
/// `spatial:` for its own grid. Level 0, the cube itself, is left as the cube run wrote it.
enum PyramidConventions {
    /// The `multiscales` v1 registration (its README and schema.json).
    static let multiscales = JSONValue.object([
        ("schema_url", .string("https://raw.githubusercontent.com/zarr-conventions/multiscales/refs/tags/v1/schema.json")),
        ("spec_url", .string("https://github.com/zarr-conventions/multiscales/blob/v1/README.md")),
        ("uuid", .string("d35379db-88df-4056-af3a-620245f8e347")),
        ("name", .string("multiscales")),
        ("description", .string("Multiscale layout of zarr datasets")),
    ])
    /// The `proj:` v1 registration.
    static let proj = JSONValue.object([
        ("schema_url", .string("https://raw.githubusercontent.com/zarr-conventions/proj/refs/tags/v1/schema.json")),
        ("spec_url", .string("https://github.com/zarr-conventions/proj/blob/v1/README.md")),
        ("uuid", .string("f17cb550-5864-4468-aeb7-f3180cfb622f")),
        ("name", .string("proj")),
        ("description", .string("Coordinate reference system information for geospatial data")),
    ])
    /// The `spatial:` registration (v0.1, the newest tag its README and schema.json name).
    static let spatial = JSONValue.object([
        ("schema_url", .string("https://raw.githubusercontent.com/zarr-conventions/spatial/refs/tags/v0.1/schema.json")),
        ("spec_url", .string("https://github.com/zarr-conventions/spatial/blob/v0.1/README.md")),
        ("uuid", .string("689b58e2-cf7b-45e0-9fff-9cfc0883d6b4")),
        ("name", .string("spatial")),
        ("description", .string("Spatial coordinate information")),
    ])

    /// The multiscales `resampling_method` name of a pyramid method (the convention's common
    /// names: `first`, the top-left pixel of each cell, is a nearest-neighbour subsampling).
    static func resamplingName(_ method: PyramidMethod) -> String {
        switch method {
        case .mean: "average"
        case .first: "nearest"
        case .min: "min"
        case .max: "max"
        case .mode: "mode"
        }
    }

    /// `spatial:transform` of `grid`: `[a, b, c, d, e, f]` with `x = a·col + c`, `y = e·row + f`
    /// for array indices at pixel corners (GDAL/Affine order, `(0.5, 0.5)` the first pixel's centre).
    static func transform(_ grid: RegularGrid) -> [Double] {
        grid.yAxis == .descending
            ? [grid.xResolution, 0, grid.xMin, 0, -grid.yResolution, grid.yMax]
            : [grid.xResolution, 0, grid.xMin, 0, grid.yResolution, grid.yMin]
    }

    /// `spatial:bbox` of `grid`: `[xmin, ymin, xmax, ymax]` of the pixel edges.
    static func bbox(_ grid: RegularGrid) -> [Double] { [grid.xMin, grid.yMin, grid.xMax, grid.yMax] }

    /// The `proj:` properties of `plan`'s CRS.
    static func projProperties(_ plan: CubePlan) -> [(String, JSONValue)] {
        var members: [(String, JSONValue)] = []
        if let code = plan.crs.epsgCode { members.append(("proj:code", .string("EPSG:\(code)"))) }
        members.append(("proj:wkt2", .string(plan.crs.wkt2)))
        return members
    }

    /// The attributes of the levels group.
    static func levelsGroup(_ plan: CubePlan, _ layout: PyramidLayout) -> JSONValue {
        let names = Array(Set(layout.methods.map(resamplingName))).sorted()
        var entries: [JSONValue] = []
        for (k, level) in layout.levels.enumerated() {
            let grid = k == 0 ? plan.grid : PyramidWriter.levelPlan(plan, layout, k).grid
            var entry: [(String, JSONValue)] = [("asset", .string(k == 0 ? "0.link" : "\(k).zarr"))]
            if k > 0 {
                entry.append(("derived_from", .string("0.link")))
                entry.append(("transform", .object([("scale", .array([.double(Double(level.factor)), .double(Double(level.factor))])),
                                                    ("translation", .array([.double(0), .double(0)]))])))
                if names.count == 1 { entry.append(("resampling_method", .string(names[0]))) }
            } else {
                entry.append(("transform", .object([("scale", .array([.double(1), .double(1)])),
                                                    ("translation", .array([.double(0), .double(0)]))])))
            }
            entry.append(("spatial:shape", .array([.int(Int64(grid.height)), .int(Int64(grid.width))])))
            entry.append(("spatial:transform", .array(transform(grid).map(JSONValue.double))))
            entries.append(.object(entry))
        }
        var multiscalesValue: [(String, JSONValue)] = [("layout", .array(entries))]
        if names.count == 1 { multiscalesValue.append(("resampling_method", .string(names[0]))) }
        // Variables aggregated differently: the method of each (an additional property).
        multiscalesValue.append(("cubegen:resampling_methods",
                                 .object(layout.arrayMethods(plan).map { ($0.name, .string(resamplingName($0.method))) })))
        let (xName, yName) = plan.spatialNames
        return .object([
            ("zarr_conventions", .array([multiscales, proj, spatial])),
            ("multiscales", .object(multiscalesValue)),
        ] + projProperties(plan) + [
            ("spatial:dimensions", .array([.string(yName), .string(xName)])),
            ("spatial:bbox", .array(bbox(plan.grid).map(JSONValue.double))),
        ])
    }

    /// What the cube of `plan` (and its time-series copy, on the same grid) adds to its global
    /// attributes when it has a pyramid: level 0's `proj:` and `spatial:` (none without a pyramid).
    static func cubeAttributes(_ plan: CubePlan) -> [(String, JSONValue)] {
        guard let layout = PyramidLayout(plan: plan) else { return [] }
        return level(plan, layout, 0)
    }

    /// The `proj:` and `spatial:` attributes of level `k`'s group, to merge into its global
    /// attributes (level 0: the cube's own).
    static func level(_ plan: CubePlan, _ layout: PyramidLayout, _ k: Int) -> [(String, JSONValue)] {
        let grid = PyramidWriter.levelPlan(plan, layout, k).grid
        let (xName, yName) = plan.spatialNames
        return [("zarr_conventions", .array([proj, spatial]))] + projProperties(plan) + [
            ("spatial:dimensions", .array([.string(yName), .string(xName)])),
            ("spatial:bbox", .array(bbox(grid).map(JSONValue.double))),
            ("spatial:transform", .array(transform(grid).map(JSONValue.double))),
            ("spatial:shape", .array([.int(Int64(grid.height)), .int(Int64(grid.width))])),
        ]
    }

    /// The group documents of the levels folder, (key, bytes): `.zgroup` and `.zattrs` (v2) or
    /// `zarr.json` (v3). xcube's level discovery skips them (no level number in their names).
    static func groupDocuments(_ plan: CubePlan, _ layout: PyramidLayout) -> [(key: String, bytes: [UInt8])] {
        let attributes = levelsGroup(plan, layout)
        switch plan.format {
        case .v2:
            return [(".zgroup", Array(JSONValue.object([("zarr_format", .int(2))]).serialized(indent: 2).utf8)),
                    (".zattrs", Array(attributes.serialized(indent: 2).utf8))]
        case .v3:
            return [("zarr.json", Array(JSONValue.object([("zarr_format", .int(3)), ("node_type", .string("group")),
                                                          ("attributes", attributes)]).serialized(indent: 2).utf8))]
        }
    }
}
