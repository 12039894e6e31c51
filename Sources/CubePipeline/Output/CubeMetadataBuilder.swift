import CubeCatalog
import CubeCore
import CubeProjection
import CubeRecipe
import Foundation
import Zarr

/// Builds the Zarr hierarchy of a cube (coordinates, grid mapping, variables, global CF/ACDD
/// attributes) in the plan's format, and the bytes of its small coordinate arrays.
struct CubeMetadataBuilder {
    let plan: CubePlan
    let extent: GeographicExtent
    let created: String
    /// The lineage, summarised in each variable's `source` and `cubegen_lineage` attributes.
    let lineage: Lineage

    /// The metadata documents and coordinate chunks (key → bytes).
    func build() throws -> (hierarchy: ZarrHierarchy, coordinateChunks: [(String, [UInt8])]) {
        let (xName, yName) = plan.spatialNames
        let grid = plan.grid
        var arrays: [ZarrArraySpec] = []
        var chunks: [(String, [UInt8])] = []

        func coordinate(_ name: String, _ values: [Double], dimensions: [String], shape: [Int], attributes: [(String, JSONValue)]) {
            let spec = ZarrArraySpec(name: name, shape: shape, chunks: shape, dataType: .float64, fillValue: .none, codecs: .none,
                                     dimensionNames: dimensions, attributes: .object(attributes))
            arrays.append(spec)
            chunks.append((spec.storedKey(shape.map { _ in 0 }, format: plan.format), values.withUnsafeBytes { Array($0) }))
        }

        // Time.
        var timeAttributes: [(String, JSONValue)] = [
            ("standard_name", .string("time")), ("long_name", .string("time")), ("axis", .string("T")),
            ("units", .string(plan.time.units.description)), ("calendar", .string(plan.time.units.calendar.cfName)),
        ]
        if let bounds = plan.time.bounds {
            timeAttributes.append(("bounds", .string("time_bnds")))
            coordinate("time_bnds", bounds.flatMap { [$0.0, $0.1] }, dimensions: ["time", "bnds"], shape: [plan.time.count, 2], attributes: [])
        }
        coordinate("time", plan.time.values, dimensions: ["time"], shape: [plan.time.count], attributes: timeAttributes)
        // The ensemble-member axis (DESIGN.md §16): the members' numbers, as int32.
        if let members = plan.members {
            let spec = ZarrArraySpec(name: members.name, shape: [members.count], chunks: [members.count], dataType: .int32, fillValue: .none,
                                     codecs: .none, dimensionNames: [members.name],
                                     attributes: .object(MemberAxisPlan.attributes.map { ($0.0, JSONValue.string($0.1)) }))
            arrays.append(spec)
            let numbers = members.values.map { Int32($0).littleEndian }
            chunks.append((spec.storedKey([0], format: plan.format), numbers.withUnsafeBytes { Array($0) }))
        }
        // The vertical axis (DESIGN.md §15).
        if let vertical = plan.vertical {
            coordinate(vertical.name, vertical.values, dimensions: [vertical.name], shape: [vertical.count],
                       attributes: vertical.coordinate.attributes.map { ($0.name, JSONValue(attribute: $0.value)) })
        }
        // Spatial coordinates and bounds.
        let xs = (0..<grid.width).map(grid.xCenter), ys = (0..<grid.height).map(grid.yCenter)
        let xBounds = (0..<grid.width).flatMap { let b = grid.xBounds($0); return [b.0, b.1] }
        let yBounds = (0..<grid.height).flatMap { let b = grid.yBounds($0); return [b.0, b.1] }
        let xAttributes: [(String, JSONValue)], yAttributes: [(String, JSONValue)]
        if grid.isGeographic {
            xAttributes = [("standard_name", .string("longitude")), ("long_name", .string("longitude")), ("units", .string("degrees_east")),
                           ("axis", .string("X")), ("bounds", .string("lon_bnds"))]
            yAttributes = [("standard_name", .string("latitude")), ("long_name", .string("latitude")), ("units", .string("degrees_north")),
                           ("axis", .string("Y")), ("bounds", .string("lat_bnds"))]
        } else {
            xAttributes = [("standard_name", .string("projection_x_coordinate")), ("long_name", .string("x coordinate of projection")),
                           ("units", .string("m")), ("axis", .string("X")), ("bounds", .string("x_bnds"))]
            yAttributes = [("standard_name", .string("projection_y_coordinate")), ("long_name", .string("y coordinate of projection")),
                           ("units", .string("m")), ("axis", .string("Y")), ("bounds", .string("y_bnds"))]
        }
        coordinate(yName, ys, dimensions: [yName], shape: [grid.height], attributes: yAttributes)
        coordinate(xName, xs, dimensions: [xName], shape: [grid.width], attributes: xAttributes)
        coordinate("\(yName)_bnds", yBounds, dimensions: [yName, "bnds"], shape: [grid.height, 2], attributes: [])
        coordinate("\(xName)_bnds", xBounds, dimensions: [xName, "bnds"], shape: [grid.width, 2], attributes: [])

        // Grid mapping.
        let crsAttributes = plan.crs.cfAttributes.map { ($0.name, JSONValue(attribute: $0.value)) }
        let crs = ZarrArraySpec(name: "crs", shape: [], chunks: [], dataType: .int32, fillValue: .none, codecs: .none,
                                dimensionNames: [], attributes: .object(crsAttributes))
        arrays.append(crs)
        chunks.append((crs.storedKey([], format: plan.format), [0, 0, 0, 0]))
        var gdalCRS: [(String, JSONValue)] = []
        if let code = plan.crs.epsgCode { gdalCRS.append(("url", .string("http://www.opengis.net/def/crs/EPSG/0/\(code)"))) }
        gdalCRS.append(("wkt", .string(plan.crs.wkt2)))

        // Data variables.
        let codecs = try CubeMetadataBuilder.codecs(plan)
        // One array per recipe variable: its layers (levels) share it, the first one's attributes.
        for array in plan.outputArrays {
            let variable = plan.variables[array.layers[0]]
            let dropped = plan.members == nil ? CubeMetadataBuilder.layerAttributes
                : CubeMetadataBuilder.layerAttributes.union(CubeMetadataBuilder.memberAttributes)
            var attributes = variable.attributes.filter { !dropped.contains($0.name) }
                .map { ($0.name, JSONValue(attribute: $0.value)) }
            if let scale = variable.scaleFactor { attributes.append(("scale_factor", .double(scale))) }
            if let offset = variable.addOffset { attributes.append(("add_offset", .double(offset))) }
            if let record = lineage.variable(array.name) {
                if !attributes.contains(where: { $0.0 == "source" }) { attributes.append(("source", .string(record.sourceText))) }
                attributes.append(("cubegen_lineage", .string(record.stepsText)))
            }
            attributes.append(("grid_mapping", .string("crs")))
            // GDAL 3.6 reads a Zarr array's CRS only from this object attribute, which xarray's
            // to_netcdf refuses; written only when the recipe asks (output.gdal_crs).
            if plan.recipe.output.gdalCRS { attributes.append(("_CRS", .object(gdalCRS))) }
            arrays.append(try CubeMetadataBuilder.dataArray(plan, variable, attributes: .object(attributes), codecs: codecs))
        }
        return (ZarrHierarchy(format: plan.format, attributes: globalAttributes(), arrays: arrays), chunks)
    }

    /// The data variables' codecs: the compressor, then a CRC-32C when asked.
    static func codecs(_ plan: CubePlan) throws -> ZarrCodecChain {
        ZarrCodecChain(compressor: try plan.compressor.configurationText.map { try JSONValue.parse(Array($0.utf8)) }, checksum: plan.checksum)
    }

    /// The array of a data variable: (time, y, x), chunked (and sharded) as planned; the executor
    /// writes its chunks with the same spec.
    static func dataArray(_ plan: CubePlan, _ variable: VariablePlan, attributes: JSONValue, codecs: ZarrCodecChain) throws -> ZarrArraySpec {
        guard let dataType = ZarrDataType(rawValue: variable.dataType.rawValue) else {
            throw CubeError(.internalInconsistency, "no Zarr type for \(variable.dataType)")
        }
        let (xName, yName) = plan.spatialNames
        let shards = plan.shardShape.map { [$0.time, $0.y, $0.x] }
        var shape = [plan.time.count, plan.grid.height, plan.grid.width]
        var chunks = [plan.chunkShape.time, plan.chunkShape.y, plan.chunkShape.x]
        var dimensions = ["time", yName, xName]
        var shardShape = shards
        if variable.layer != nil {
            // (time, [member,] [level,] y, x): `extraChunks` members and levels per chunk and
            // shard (default 1: a layer's (time, y, x) chunk is the (time, 1, [1,] y, x) chunk at
            // its member and level, byte for byte; more are stacked by the executor).
            for (offset, axis) in plan.extraDimensions.enumerated() {
                let size = plan.extraChunks.indices.contains(offset) ? plan.extraChunks[offset] : 1
                shape.insert(axis.size, at: 1 + offset)
                chunks.insert(size, at: 1 + offset)
                dimensions.insert(axis.name, at: 1 + offset)
                shardShape?.insert(size, at: 1 + offset)
            }
        }
        return ZarrArraySpec(
            name: variable.arrayName, shape: shape, chunks: chunks, shards: shardShape, dataType: dataType,
            fillValue: variable.fillValue.isNaN ? .nan : .number(variable.fillValue), codecs: codecs,
            dimensionNames: dimensions, attributes: attributes, masksFill: true)
    }

    /// GRIB attributes that differ between the layers of one array (the level) and are left out
    /// of it: the vertical coordinate says the level.
    static let layerAttributes: Set<String> = ["GRIB_level"]

    /// GRIB attributes that differ between the members of one array and are left out of it when
    /// the cube has a member axis: the member coordinate says the member.
    static let memberAttributes: Set<String> = ["GRIB_number"]

    private func globalAttributes() -> JSONValue {
        let recipe = plan.recipe
        let fileName = recipe.fileURL.lastPathComponent
        var attributes: [(String, JSONValue)] = [
            ("Conventions", .string("CF-1.10, ACDD-1.3")),
            ("title", .string(recipe.cube.title)),
            ("summary", .string(recipe.cube.summary)),
            ("id", .string(recipe.cube.id)),
            ("product_version", .string(recipe.cube.version)),
            ("license", .string(recipe.cube.license)),
        ]
        if !recipe.cube.keywords.isEmpty { attributes.append(("keywords", .string(recipe.cube.keywords.joined(separator: ", ")))) }
        attributes += [
            ("history", .string("\(created): cubegen \(CubeGenVersion.current) run \(fileName) (recipe sha256 \(recipe.sha256))")),
            ("source", .string(plan.sources.map { "\($0.section.name): \($0.files.count) \($0.section.store) file(s)" }.joined(separator: "; "))),
            ("date_created", .string(created)),
            ("geospatial_lat_min", .double(extent.latMin)), ("geospatial_lat_max", .double(extent.latMax)),
            ("geospatial_lon_min", .double(extent.lonMin)), ("geospatial_lon_max", .double(extent.lonMax)),
            ("geospatial_lat_units", .string("degrees_north")), ("geospatial_lon_units", .string("degrees_east")),
        ]
        if plan.grid.isGeographic {
            attributes += [("geospatial_lat_resolution", .double(plan.grid.yResolution)),
                           ("geospatial_lon_resolution", .double(plan.grid.xResolution))]
        }
        if !plan.time.dates.isEmpty {
            let coverage = TimeCoverage.of(plan.time)
            attributes += [("time_coverage_start", .string(coverage.start)), ("time_coverage_end", .string(coverage.end))]
        }
        if let period = plan.time.period { attributes.append(("time_coverage_resolution", .string(period.isoDuration))) }
        // xarray reads non-dimension coordinates (bounds, grid mapping) from this attribute.
        let (xName, yName) = plan.spatialNames
        let timeBounds = plan.time.bounds == nil ? "" : "time_bnds "
        attributes.append(("coordinates", .string("\(timeBounds)\(yName)_bnds \(xName)_bnds crs")))
        attributes += [
            ("cubegen_version", .string(CubeGenVersion.current)),
            ("cubegen_recipe_id", .string(recipe.cube.id)),
            ("cubegen_recipe_format_version", .int(Int64(recipe.version))),
            ("cubegen_recipe_sha256", .string(recipe.sha256)),
            ("cubegen_software", .string(lineage.softwareText)),
            ("cubegen_lineage_file", .string(CatalogLayout.lineageKey)),
        ]
        var object = JSONValue.object(attributes)
        for attribute in recipe.output.attributes { object = object.setting(attribute.name, JSONValue(attribute: attribute.value)) }
        return object
    }
}
