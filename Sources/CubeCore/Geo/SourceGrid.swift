/// The horizontal grid of a source: a CRS and 1-D coordinate axes of cell centres, or, for a
/// curvilinear grid, the longitude/latitude of every cell (`geolocation`), or, for a cell grid
/// (HEALPix, reduced Gaussian), the grid's definition (`cells`).
///
/// For geographic grids `x` is longitude (either −180…180 or 0…360) and `y` latitude (either
/// direction). For curvilinear grids the CRS is WGS 84 (the geolocation's), `x`/`y` are the cell
/// indices 0…n−1 and `isGeographic` is false. A cell grid is one row of `cells.count` columns (its
/// `values` array): the CRS is WGS 84, `isGeographic` is false and `x`/`y` only span the globe
/// (−180…180, −90…90) for extents.
public struct SourceGrid: Hashable, Sendable {
    /// The CRS of the coordinates.
    public var crs: CRSDefinition
    /// Whether x/y are longitude/latitude in degrees.
    public var isGeographic: Bool
    /// The x (longitude or easting) centres.
    public var x: AxisCoordinates
    /// The y (latitude or northing) centres.
    public var y: AxisCoordinates
    /// For a curvilinear grid: the longitude/latitude of every cell.
    public var geolocation: Geolocation?
    /// For a cell grid: its definition (cell `k` is column `k` of the grid's single row).
    public var cells: CellGridGeometry?

    /// Creates a grid with 1-D axes.
    public init(crs: CRSDefinition, isGeographic: Bool, x: AxisCoordinates, y: AxisCoordinates) {
        self.crs = crs
        self.isGeographic = isGeographic
        self.x = x
        self.y = y
    }

    /// Creates a curvilinear grid from its cell longitudes/latitudes (WGS 84).
    /// - Throws: `CubeError` when the geolocation is smaller than 2 × 2.
    public init(geolocation: Geolocation) throws {
        crs = .wgs84
        isGeographic = false
        x = try AxisCoordinates((0..<geolocation.width).map(Double.init))
        y = try AxisCoordinates((0..<geolocation.height).map(Double.init))
        self.geolocation = geolocation
    }

    /// Creates a cell grid (one row of `cells.count` columns, WGS 84).
    public init(cells: CellGridGeometry) throws {
        crs = .wgs84
        isGeographic = false
        x = try AxisCoordinates([-180, 180])
        y = try AxisCoordinates([-90, 90])
        self.cells = cells
    }

    /// The width in cells (the number of cells of a cell grid).
    public var width: Int { cells?.count ?? x.count }
    /// The height in cells (1 for a cell grid).
    public var height: Int { cells == nil ? y.count : 1 }

    /// Whether a geographic grid's columns cover all 360° of longitude, so that column indices wrap.
    public var wrapsLongitude: Bool {
        guard isGeographic, let regular = x.regular else { return false }
        return abs(abs(regular.step) * Double(x.count) - 360) < abs(regular.step) * 1e-3
    }

    /// The western edge of a geographic grid's longitude range: a longitude is shifted by multiples
    /// of 360° into `[westEdge, westEdge + 360)` before it is looked up.
    public var longitudeWestEdge: Double {
        let edges = x.outerEdges
        return min(edges.first, edges.last)
    }
}
