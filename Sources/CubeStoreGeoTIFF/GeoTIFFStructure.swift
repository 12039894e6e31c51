public import CubeCore

/// What CubeGen makes of a GeoTIFF's directories: the full-resolution image's layout, its
/// overviews, its grid and CRS, and one variable per band (`band_1`, `band_2`, …) with nodata
/// and scale/offset decoding. Derived from tag values only, so it is tested without files.
public struct GeoTIFFStructure: Sendable {
    /// The full-resolution image.
    public var image: TIFFLayout
    /// The internal overviews (reduced-resolution images, masks excluded), finest first.
    public var overviews: [TIFFLayout]
    /// The dataset as the pipeline sees it.
    public var descriptor: DatasetDescriptor

    /// The name of band `number` (1-based) as a variable.
    public static func bandName(_ number: Int) -> String { "band_\(number)" }

    /// The 0-based sample of a variable named `band_N`, or `nil`.
    public static func sample(of variable: String, bands: Int) -> Int? {
        guard variable.hasPrefix("band_"), let number = Int(variable.dropFirst(5)), (1...bands).contains(number) else { return nil }
        return number - 1
    }

    /// Builds the structure from the file's directories.
    /// - Parameters:
    ///   - directories: Every directory, in file order (the first is the image).
    ///   - path: The file, for messages and the descriptor's location.
    ///   - assigned: The recipe's `crs`/`geotransform`, which replace the file's own (as
    ///     `gdal_translate -a_srs/-a_gt` do) and georeference plain TIFFs.
    /// - Throws: `CubeError` naming the file: no georeferencing, unsupported samples or
    ///   compression, rotated images, CRSs libgeotiff cannot resolve.
    public init(directories: [TIFFDirectory], path: String, assigned: AssignedGeoreference? = nil) throws {
        guard let first = directories.first else {
            throw CubeError(.invalidInput, "'\(path)' has no image", context: ["file": path])
        }
        image = try first.layout(path: path)
        overviews = directories.dropFirst().filter { $0.isOverview && $0.samplesPerPixel == first.samplesPerPixel }
            .compactMap { try? $0.layout(path: path) }
            .sorted { $0.width > $1.width }
        let keys = first.geoKeys
        let rasterType = keys?.rasterType ?? .pixelIsArea
        let hint = "georeference it first (gdal_translate -a_srs EPSG:… -a_ullr …) or give the source crs: and geotransform: in the recipe"
        let own = assigned?.geotransform != nil ? nil
            : try GeoReference.make(scale: first.pixelScale, tiepoints: first.tiepoints, transformation: first.transformation,
                                    rasterType: rasterType, path: path)
        if keys == nil, own == nil, assigned == nil {
            throw CubeError(.invalidInput, "'\(path)' has no georeferencing (no GeoKeys, no pixel georeferencing): it is a plain TIFF; \(hint)",
                            context: ["file": path])
        }
        let reference: GeoReference
        if let centres = assigned?.centres {
            reference = GeoReference(xOrigin: centres.xOrigin, xStep: centres.xStep, yOrigin: centres.yOrigin, yStep: centres.yStep)
        } else if let own {
            reference = own
        } else {
            throw CubeError(.invalidInput,
                "'\(path)' has no pixel georeferencing (ModelPixelScale/ModelTiepoint or ModelTransformation); \(hint)",
                context: ["file": path])
        }
        let crs: CRSDefinition, isGeographic: Bool
        if let assignedCRS = assigned?.crs {
            (crs, isGeographic) = (assignedCRS, assigned?.isGeographic ?? false)
        } else if let keys {
            (crs, isGeographic) = try keys.crs(path: path)
        } else {
            throw CubeError(.invalidInput, "'\(path)' has no CRS (no GeoKeys); \(hint)", context: ["file": path])
        }
        let grid = SourceGrid(crs: crs, isGeographic: isGeographic, x: try AxisCoordinates(reference.xCentres(first.width)),
                              y: try AxisCoordinates(reference.yCentres(first.height)))
        let metadata = first.metadata.map(GDALMetadata.init(xml:))
        let nodata = first.nodata.flatMap(GDALMetadata.nodata)
        let sampleType = image.sampleType
        let dimensions = isGeographic ? (x: "lon", y: "lat") : (x: "x", y: "y")
        let variables = (0..<first.samplesPerPixel).map { sample -> VariableDescriptor in
            var attributes: [Attribute] = []
            if let description = metadata?.value(role: "description", sample: sample), !description.isEmpty {
                attributes.append(Attribute("long_name", .text(description)))
            }
            if let unit = metadata?.value(role: "unittype", sample: sample), !unit.isEmpty {
                attributes.append(Attribute("units", .text(unit)))
            }
            let missing = nodata.map { $0.isNaN ? [] : [$0] } ?? []
            let packing = CFPacking(missingValues: missing, scaleFactor: metadata?.scale(sample: sample) ?? 1,
                                    addOffset: metadata?.offset(sample: sample) ?? 0)
            return VariableDescriptor(name: Self.bandName(sample + 1), dimensions: [dimensions.y, dimensions.x],
                                      shape: [first.height, first.width], dataType: sampleType, attributes: attributes, packing: packing)
        }
        var attributes = [
            Attribute("tiff_layout", .text(image.blocksDescription)),
            Attribute("tiff_compression", .text("\(image.compression)" + (image.predictor > 1 ? ", predictor \(image.predictor)" : ""))),
            Attribute("tiff_interleave", .text(image.samplesPerPixel > 1 ? image.interleave.rawValue : "single band")),
            Attribute("tiff_raster_type", .text(rasterType.description)),
        ]
        if let text = first.nodata { attributes.append(Attribute("tiff_nodata", .text(text))) }
        if let assigned {
            let given = [assigned.crs.map { "crs \($0)" }, assigned.geotransform.map { "geotransform \($0)" }].compactMap { $0 }
            attributes.append(Attribute("tiff_georeference", .text("from the recipe: " + given.joined(separator: ", "))))
        }
        if !overviews.isEmpty {
            attributes.append(Attribute("tiff_overviews", .text(overviews.map { "\($0.width) × \($0.height)" }.joined(separator: ", "))))
        }
        descriptor = DatasetDescriptor(location: path, grid: grid, spatialDimensions: dimensions, timeDimension: nil, timeUnits: nil,
                                       timeValues: [], dates: [], variables: variables, attributes: attributes)
        descriptor.overviews = try overviews.map { try Self.overviewGrid($0, of: grid, fullWidth: first.width, fullHeight: first.height) }
    }

    /// An overview's grid: the full grid's extent (its outer pixel edges) divided into the
    /// overview's pixels, as GDAL derives an overview's geotransform.
    static func overviewGrid(_ overview: TIFFLayout, of grid: SourceGrid, fullWidth: Int, fullHeight: Int) throws -> SourceGrid {
        let x = grid.x.values, y = grid.y.values
        let xStep = x.count > 1 ? (x[x.count - 1] - x[0]) / Double(x.count - 1) : 1
        let yStep = y.count > 1 ? (y[y.count - 1] - y[0]) / Double(y.count - 1) : -1
        let left = x[0] - xStep / 2, top = y[0] - yStep / 2
        let dx = xStep * Double(fullWidth) / Double(overview.width), dy = yStep * Double(fullHeight) / Double(overview.height)
        return SourceGrid(crs: grid.crs, isGeographic: grid.isGeographic,
                          x: try AxisCoordinates((0..<overview.width).map { left + (Double($0) + 0.5) * dx }),
                          y: try AxisCoordinates((0..<overview.height).map { top + (Double($0) + 0.5) * dy }))
    }
}
