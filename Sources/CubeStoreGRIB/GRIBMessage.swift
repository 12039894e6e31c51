public import CubeCore

/// What the index knows of one GRIB message: where it is, what it holds, on which grid.
public struct GRIBMessage: Hashable, Sendable, Codable {
    /// Its position in the file (0 for the first message).
    public var index: Int
    /// Its first byte and length.
    public var offset: Int
    /// The message length in bytes.
    public var length: Int
    /// GRIB edition (1 or 2).
    public var edition: Int
    /// ecCodes' short name (`2t`, `t`, `msl`), parameter id and long name.
    public var shortName: String
    /// The parameter id (`167` for 2t).
    public var paramId: Int
    /// The parameter's long name.
    public var name: String
    /// Units as ecCodes states them.
    public var units: String
    /// The CF standard name, when the parameter tables give one.
    public var cfName: String?
    /// Level type (`surface`, `isobaricInhPa`, `hybrid`…) and level.
    public var typeOfLevel: String
    /// The level value.
    public var level: Int
    /// Ensemble member (0 for a control or deterministic field).
    public var number: Int
    /// Valid date `YYYYMMDD` and time `HHMM`.
    public var validityDate: Int
    /// The valid time of day, `HHMM`.
    public var validityTime: Int
    /// ecCodes' grid type (`regular_ll`, `regular_gg`, `reduced_gg`, `lambert`…).
    public var gridType: String
    /// Points along a parallel and along a meridian.
    public var ni: Int
    /// Points along a meridian.
    public var nj: Int
    /// The first grid point (degrees).
    public var firstLatitude: Double
    /// The first grid point's longitude.
    public var firstLongitude: Double
    /// The last grid point (degrees).
    public var lastLatitude: Double
    /// The last grid point's longitude.
    public var lastLongitude: Double
    /// The increments (degrees), when given.
    public var iIncrement: Double?
    /// The meridional increment.
    public var jIncrement: Double?
    /// Scanning mode flags.
    public var iScansNegatively: Bool
    /// Rows run south to north.
    public var jScansPositively: Bool
    /// Columns are consecutive in the values (Fortran order).
    public var jPointsAreConsecutive: Bool
    /// The Gaussian latitudes of a `regular_gg` grid (north to south).
    public var gaussianLatitudes: [Double]?
    /// Values in the message.
    public var numberOfValues: Int
    /// Whether a bitmap marks missing values.
    public var bitmapPresent: Bool
    /// A HEALPix grid's Nside (template 3.150), else `nil`.
    public var nside: Int?
    /// Whether a HEALPix grid is in nested (else ring) order.
    public var nested: Bool?
    /// A reduced Gaussian grid's points per row (GRIB's `pl`), north to south, else `nil`.
    public var pointsPerRow: [Int]? = nil
    /// A Gaussian grid's number of latitudes between a pole and the equator (GRIB's `N`).
    public var gaussianN: Int? = nil
    /// A projected grid's CRS and spacing (Lambert conformal, polar stereographic), else `nil`.
    public var projection: GRIBProjection? = nil
    /// The DestinE labels of a Destination Earth message (its local section), else `nil`.
    public var destine: DestinELabels? = nil
    /// The points of the grid as section 3 states them (GRIB's `numberOfDataPoints`): what
    /// ecCodes expands the values and the bitmap to.
    public var numberOfDataPoints: Int = 0

    /// The message's grid as a cell grid (HEALPix, reduced Gaussian), `nil` for a raster grid.
    public var cellGrid: CellGridGeometry? {
        if gridType == "healpix", let nside { return .healpix(nside: nside, nested: nested ?? false) }
        if gridType == "reduced_gg", let pointsPerRow, let gaussianN { return .reducedGaussian(n: gaussianN, pointsPerRow: pointsPerRow) }
        return nil
    }

    /// Whether `other` lies on the same grid (same type, size, first point, cell layout and projection).
    func sameGrid(as other: GRIBMessage) -> Bool {
        gridType == other.gridType && ni == other.ni && nj == other.nj && firstLatitude == other.firstLatitude
            && firstLongitude == other.firstLongitude && cellGrid == other.cellGrid && projection == other.projection
    }

    /// The variable name a cube uses: the short name, qualified by level and member when the file
    /// holds the parameter on several levels or members (`t_isobaricInhPa_850`, `2t_m3`).
    func variableName(qualifiedByLevel: Bool, qualifiedByMember: Bool) -> String {
        var result = shortName
        if qualifiedByLevel { result += "_\(typeOfLevel)_\(level)" }
        if qualifiedByMember { result += "_m\(number)" }
        return result
    }
}

/// A projected GRIB grid (Lambert conformal, template 3.30 / GRIB 1 type 3; polar stereographic,
/// 3.20 / type 5): its CRS and the geographic CRS of its first grid point (same earth) as PROJ
/// strings made from the grid section's keys, and the grid lengths.
public struct GRIBProjection: Hashable, Sendable, Codable {
    /// The projected CRS (no false easting or northing).
    public var target: String
    /// Longitude/latitude on the grid's earth.
    public var source: String
    /// Grid lengths in metres along x and y.
    public var dx: Double
    /// The grid length along y.
    public var dy: Double
}
