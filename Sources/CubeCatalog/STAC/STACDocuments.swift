public import Zarr

/// The STAC 1.0.0 Collection and Item of a cube, with the datacube (v2.2.0) and processing
/// (v1.2.0) extensions; the Item carries the Zarr asset, both carry the quick-looks as thumbnails.
public struct STACDocuments: Sendable {
    /// The STAC version written.
    public static let stacVersion = "1.0.0"
    /// The datacube extension's schema URL.
    public static let datacubeExtension = "https://stac-extensions.github.io/datacube/v2.2.0/schema.json"
    /// The processing extension's schema URL.
    public static let processingExtension = "https://stac-extensions.github.io/processing/v1.2.0/schema.json"
    /// The Zarr media type (STAC best practices).
    public static let zarrMediaType = "application/vnd+zarr"

    /// The entry described.
    public let entry: CatalogEntry

    /// Creates the documents of `entry`.
    public init(_ entry: CatalogEntry) { self.entry = entry }

    /// The Collection.
    public var collection: JSONValue {
        var members: [(String, JSONValue)] = [
            ("type", .string("Collection")),
            ("stac_version", .string(STACDocuments.stacVersion)),
            ("stac_extensions", .array([.string(STACDocuments.datacubeExtension), .string(STACDocuments.processingExtension)])),
            ("id", .string(entry.id)),
            ("title", .string(entry.title)),
            ("description", .string(entry.description.isEmpty ? entry.title : entry.description)),
        ]
        if !entry.keywords.isEmpty { members.append(("keywords", .array(entry.keywords.map(JSONValue.string)))) }
        members += [
            ("license", .string(entry.license)),
            ("providers", .array([.object([("name", .string("CubeGen")), ("roles", .array([.string("processor")]))]
                                           + processingFields)])),
            ("extent", .object([
                ("spatial", .object([("bbox", .array(entry.box.collectionBoxes.map { .array($0.map(JSONValue.double)) }))])),
                ("temporal", .object([("interval", .array([.array([.string(entry.interval.start), .string(entry.interval.end)])]))])),
            ])),
            ("summaries", .object([("processing:level", .array([.string("L3")]))])),
            ("cube:dimensions", dimensions),
            ("cube:variables", variables),
            ("assets", .object(sharedAssets)),
            ("links", .array([
                link("root", entry.hrefs.collection, "application/json", title: entry.title),
                link("item", entry.hrefs.item, "application/geo+json", title: "\(entry.id) (Zarr cube)"),
            ])),
        ]
        return .object(members)
    }

    /// The Item, with the Zarr asset.
    public var item: JSONValue {
        var properties: [(String, JSONValue)] = [
            ("title", .string(entry.title)),
            ("datetime", .null),
            ("start_datetime", .string(entry.interval.start)),
            ("end_datetime", .string(entry.interval.end)),
            ("created", .string(entry.lineage.created)),
            ("license", .string(entry.license)),
            ("processing:level", .string("L3")),
        ]
        properties += processingFields
        properties += [("cube:dimensions", dimensions), ("cube:variables", variables)]
        let zarr: JSONValue = .object([
            ("href", .string(entry.hrefs.cube)),
            ("type", .string(STACDocuments.zarrMediaType)),
            ("title", .string(entry.title)),
            ("description", .string("\(entry.format.displayName) store with consolidated metadata (open with xarray.open_zarr)")),
            ("roles", .array([.string("data"), .string("zarr")])),
            ("cube:variables", variables),
        ])
        return .object([
            ("type", .string("Feature")),
            ("stac_version", .string(STACDocuments.stacVersion)),
            ("stac_extensions", .array([.string(STACDocuments.datacubeExtension), .string(STACDocuments.processingExtension)])),
            ("id", .string(entry.id)),
            ("collection", .string(entry.id)),
            ("geometry", entry.box.geometry),
            ("bbox", .array([entry.box.west, entry.box.south, entry.box.east, entry.box.north].map(JSONValue.double))),
            ("properties", .object(properties)),
            ("assets", .object([("zarr", zarr)] + viewerAssets + sharedAssets)),
            ("links", .array([
                link("collection", entry.hrefs.collection, "application/json", title: entry.title),
                link("parent", entry.hrefs.collection, "application/json", title: entry.title),
                link("root", entry.hrefs.collection, "application/json", title: entry.title),
            ] + entry.derivedFrom.map { link("derived_from", $0, "application/geo+json", title: "STAC item read") })),
        ])
    }

    /// `processing:*` fields: the lineage as CommonMark, the software versions, the date.
    private var processingFields: [(String, JSONValue)] {
        [("processing:lineage", .string(entry.lineage.markdown)),
         ("processing:software", .object(entry.lineage.software.map { ($0.name, .string($0.version)) })),
         ("processing:datetime", .string(entry.lineage.created))]
    }

    /// The time-series copy and the pyramid beside the cube, when written (the pyramid in xcube's multi-level format).
    private var viewerAssets: [(String, JSONValue)] {
        var assets: [(String, JSONValue)] = []
        if let copy = entry.hrefs.timeSeries {
            assets.append(("timeseries", .object([
                ("href", .string(copy.href)), ("type", .string(STACDocuments.zarrMediaType)),
                ("title", .string("Time-series copy of \(entry.title)")),
                ("description", .string("The same data chunked (\(copy.chunks.map(String.init).joined(separator: ", "))) in (time, y, x) for fast time series")),
                ("roles", .array([.string("data"), .string("zarr")])),
            ])))
        }
        guard let pyramid = entry.hrefs.pyramid else { return assets }
        return assets + [("pyramid", .object([
            ("href", .string(pyramid.href)), ("type", .string(STACDocuments.zarrMediaType)),
            ("title", .string("Multi-resolution pyramid of \(entry.title)")),
            ("description", .string("xcube levels: \(pyramid.levels) levels of \(pyramid.tile)-pixel tiles, each level half the resolution of the one before; level 0 is the cube (0.link), levels 1… are Zarr cubes (open with xcube.core.mldataset)")),
            ("roles", .array([.string("overview"), .string("zarr")])),
        ]))]
    }

    /// The lineage document and the quick-looks.
    private var sharedAssets: [(String, JSONValue)] {
        var assets: [(String, JSONValue)] = [
            ("lineage", .object([("href", .string(entry.hrefs.lineage)), ("type", .string("application/json")),
                                 ("title", .string("Lineage of every variable (cubegen)")), ("roles", .array([.string("metadata")]))])),
        ]
        for (variable, href) in entry.hrefs.quicklooks {
            assets.append(("quicklook_\(variable)", .object([
                ("href", .string(href)), ("type", .string("image/png")),
                ("title", .string("Quick-look of \(variable), last time step")),
                ("roles", .array([.string("thumbnail"), .string("overview"), .string("visual")])),
            ])))
        }
        return assets
    }

    private var dimensions: JSONValue {
        var members: [(String, JSONValue)] = entry.spatial.map { dimension in
            (dimension.name, .object([
                ("type", .string("spatial")), ("axis", .string(dimension.axis)),
                ("extent", .array([.double(dimension.extent.0), .double(dimension.extent.1)])),
                ("step", .double(dimension.step)), ("reference_system", dimension.referenceSystem),
                ("description", .string("\(dimension.count) pixel centres; extent gives the outer pixel edges (\(dimension.unit))")),
            ]))
        }
        if let ensemble = entry.members {
            members.append((ensemble.name, .object([
                ("type", .string("ensemble")),
                ("extent", .array([.int(Int64(ensemble.values.min() ?? 0)), .int(Int64(ensemble.values.max() ?? 0))])),
                ("values", .array(ensemble.values.map { JSONValue.int(Int64($0)) })),
                ("description", .string(ensemble.description)),
            ])))
        }
        if let vertical = entry.vertical {
            members.append((vertical.name, .object([
                ("type", .string("spatial")), ("axis", .string("z")),
                ("extent", .array([.double(vertical.values.min() ?? 0), .double(vertical.values.max() ?? 0)])),
                ("values", .array(vertical.values.map(JSONValue.double))), ("unit", .string(vertical.unit)),
                ("description", .string(vertical.description)),
            ])))
        }
        var time: [(String, JSONValue)] = [
            ("type", .string("temporal")),
            ("extent", .array([.string(entry.interval.start), .string(entry.interval.end)])),
            ("values", .array(entry.time.values.map(JSONValue.string))),
            ("step", entry.time.step.map(JSONValue.string) ?? .null),
        ]
        time.append(("description", .string(entry.time.description)))
        members.append(("time", .object(time)))
        return .object(members)
    }

    private var variables: JSONValue {
        func object(_ variable: CatalogEntry.Variable, type: String) -> JSONValue {
            var members: [(String, JSONValue)] = [("dimensions", .array(variable.dimensions.map(JSONValue.string))), ("type", .string(type))]
            if let description = variable.description { members.append(("description", .string(description))) }
            if let unit = variable.unit { members.append(("unit", .string(unit))) }
            return .object(members)
        }
        return .object(entry.variables.map { ($0.name, object($0, type: "data")) } + entry.auxiliary.map { ($0.name, object($0, type: "auxiliary")) })
    }

    private func link(_ rel: String, _ href: String, _ type: String, title: String) -> JSONValue {
        .object([("rel", .string(rel)), ("href", .string(href)), ("type", .string(type)), ("title", .string(title))])
    }
}
