public import Zarr

/// What the STAC documents of a cube say, gathered by the pipeline: identity, extents,
/// dimensions, variables, assets and lineage.
public struct CatalogEntry: Sendable {
    /// The cube's identifier (STAC `id` of the Collection and the Item).
    public var id: String
    /// `cube.title`.
    public var title: String
    /// `cube.summary`.
    public var description: String
    /// An SPDX license identifier.
    public var license: String
    /// `cube.keywords`.
    public var keywords: [String]
    /// `cube.version`.
    public var version: String
    /// The box of the grid's pixel edges in WGS 84.
    public var box: GeographicBox
    /// The first and last instants covered (ISO 8601, UTC): period bounds, or the first and last step.
    public var interval: (start: String, end: String)
    /// The spatial dimensions, x then y.
    public var spatial: [SpatialDimension]
    /// The time dimension.
    public var time: TimeDimension
    /// The data variables.
    public var variables: [Variable]
    /// Auxiliary variables (cell bounds, the grid mapping).
    public var auxiliary: [Variable]
    /// Hrefs relative to the STAC documents.
    public var hrefs: Hrefs
    /// The lineage of the cube.
    public var lineage: Lineage
    /// The Zarr format of the store, named in the Item's asset.
    public var format: ZarrFormat = .v2
    /// The STAC items the cube was made from (their URLs), written as `derived_from` links; empty
    /// when no source was a STAC search.
    public var derivedFrom: [String] = []
    /// The vertical dimension (`plev`, …), when the cube has one.
    public var vertical: VerticalDimension? = nil
    /// The ensemble-member dimension, when the cube has one.
    public var members: MemberDimension? = nil

    /// Creates an entry.
    public init(id: String, title: String, description: String, license: String, keywords: [String], version: String,
                box: GeographicBox, interval: (start: String, end: String), spatial: [SpatialDimension], time: TimeDimension,
                variables: [Variable], auxiliary: [Variable], hrefs: Hrefs, lineage: Lineage) {
        self.id = id
        self.title = title
        self.description = description
        self.license = license
        self.keywords = keywords
        self.version = version
        self.box = box
        self.interval = interval
        self.spatial = spatial
        self.time = time
        self.variables = variables
        self.auxiliary = auxiliary
        self.hrefs = hrefs
        self.lineage = lineage
    }

    /// A horizontal spatial dimension (datacube extension).
    public struct SpatialDimension: Sendable {
        /// The dimension name (`x`, `lon`…).
        public var name: String
        /// `x` or `y`.
        public var axis: String
        /// Outer pixel edges, lower then upper.
        public var extent: (Double, Double)
        /// The pixel size (signed as the coordinate runs).
        public var step: Double
        /// The number of pixels.
        public var count: Int
        /// EPSG code when known, else WKT2.
        public var referenceSystem: JSONValue
        /// Coordinate units (`m`, `degrees_east`…).
        public var unit: String

        /// Creates a dimension.
        public init(name: String, axis: String, extent: (Double, Double), step: Double, count: Int, referenceSystem: JSONValue, unit: String) {
            self.name = name
            self.axis = axis
            self.extent = extent
            self.step = step
            self.count = count
            self.referenceSystem = referenceSystem
            self.unit = unit
        }
    }

    /// An ensemble-member dimension (datacube extension: an additional dimension of `type:
    /// ensemble`), with the member numbers.
    public struct MemberDimension: Sendable {
        /// The dimension name (`member`).
        public var name: String
        /// The member numbers, in cube order.
        public var values: [Int]
        /// A description (what the numbers are).
        public var description: String

        /// Creates a dimension.
        public init(name: String, values: [Int], description: String) {
            self.name = name
            self.values = values
            self.description = description
        }
    }

    /// A vertical spatial dimension (datacube extension: `type: spatial`, `axis: z`), with its values.
    public struct VerticalDimension: Sendable {
        /// The dimension name (`plev`).
        public var name: String
        /// The levels, in `unit`, in cube order.
        public var values: [Double]
        /// The unit (`Pa`, `m`, `1`).
        public var unit: String
        /// A description (what the levels measure, which way is positive).
        public var description: String

        /// Creates a dimension.
        public init(name: String, values: [Double], unit: String, description: String) {
            self.name = name
            self.values = values
            self.unit = unit
            self.description = description
        }
    }

    /// The time dimension (datacube extension).
    public struct TimeDimension: Sendable {
        /// The time labels (ISO 8601).
        public var values: [String]
        /// The step as an ISO 8601 duration, `nil` when irregular.
        public var step: String?
        /// A description (calendar, labels, bounds).
        public var description: String

        /// Creates a dimension.
        public init(values: [String], step: String?, description: String) {
            self.values = values
            self.step = step
            self.description = description
        }
    }

    /// A variable (datacube extension).
    public struct Variable: Sendable {
        /// The name in the cube.
        public var name: String
        /// Its dimensions.
        public var dimensions: [String]
        /// `long_name` or a description.
        public var description: String?
        /// `units`, if any.
        public var unit: String?

        /// Creates a variable.
        public init(name: String, dimensions: [String], description: String?, unit: String?) {
            self.name = name
            self.dimensions = dimensions
            self.description = description
            self.unit = unit
        }
    }

    /// Where the documents and assets are, relative to the folder of the STAC documents.
    public struct Hrefs: Sendable {
        /// The Collection's file name.
        public var collection: String
        /// The Item's file name.
        public var item: String
        /// The Zarr store.
        public var cube: String
        /// `lineage.json`.
        public var lineage: String
        /// Quick-look PNG per data variable name.
        public var quicklooks: [(variable: String, href: String)]
        /// The multi-resolution pyramid (`NAME.levels`), its level count and tile size, when written.
        public var pyramid: (href: String, levels: Int, tile: Int)?
        /// The time-series copy (`NAME.ts.zarr`) and its chunk shape (time, y, x), when written.
        public var timeSeries: (href: String, chunks: [Int])?

        /// Creates hrefs.
        public init(collection: String, item: String, cube: String, lineage: String, quicklooks: [(variable: String, href: String)]) {
            self.collection = collection
            self.item = item
            self.cube = cube
            self.lineage = lineage
            self.quicklooks = quicklooks
        }
    }
}
