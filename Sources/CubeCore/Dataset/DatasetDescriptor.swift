/// What a data store knows about one input file (or object) before reading pixel values: its grid,
/// its time steps and its gridded variables.
public struct DatasetDescriptor: Hashable, Sendable {
    /// Where the dataset is (a path or URL), for messages.
    public var location: String
    /// The horizontal grid shared by its data variables.
    public var grid: SourceGrid
    /// The names of the grid's x and y dimensions.
    public var spatialDimensions: (x: String, y: String)
    /// The name of the time dimension, if any.
    public var timeDimension: String?
    /// The time units and calendar, if the dataset has a time axis.
    public var timeUnits: CFTimeUnits?
    /// The stored time values, in storage order.
    public var timeValues: [Double]
    /// The dates of the time steps.
    public var dates: [CalendarDate]
    /// The variables defined on the grid (not coordinates or bounds).
    public var variables: [VariableDescriptor]
    /// The global attributes.
    public var attributes: [Attribute]
    /// The storage format, where the store reports it (`Zarr v3, consolidated`).
    public var format: String?
    /// Every resolution level of a multi-resolution dataset (empty for a single-resolution one).
    public var levels: [ResolutionLevel] = []
    /// The level this descriptor describes, for a multi-resolution dataset.
    public var level: ResolutionLevel?
    /// Reduced-resolution versions of `grid` the store can read directly (a COG's internal
    /// overviews), finest first; overview `k` (1-based) is `overviews[k - 1]`. Empty for most stores.
    public var overviews: [SourceGrid] = []
    /// The vertical coordinates of dimensions other than time, y and x that data variables have
    /// (a NetCDF `plev`), by dimension name: the values as stored and what they measure.
    public var levelCoordinates: [String: LevelCoordinate] = [:]
    /// Ensemble-member coordinates of dimensions other than time, y and x that data variables have
    /// (CF `standard_name: realization`, or a dimension named `member`, `realization`, `ensemble`
    /// or `number` with a numeric coordinate), by dimension name: the member numbers as stored.
    public var memberCoordinates: [String: [Double]] = [:]
    /// For a cell grid read from a CF dataset (HEALPix in NetCDF/Zarr): which cells the file stores
    /// along its cell dimension. Readers return grid order, cells the file lacks as NaN.
    public var cellStorage: CellGridStorage?

    /// Creates a descriptor.
    public init(location: String, grid: SourceGrid, spatialDimensions: (x: String, y: String), timeDimension: String?,
                timeUnits: CFTimeUnits?, timeValues: [Double], dates: [CalendarDate], variables: [VariableDescriptor],
                attributes: [Attribute]) {
        self.location = location
        self.grid = grid
        self.spatialDimensions = spatialDimensions
        self.timeDimension = timeDimension
        self.timeUnits = timeUnits
        self.timeValues = timeValues
        self.dates = dates
        self.variables = variables
        self.attributes = attributes
    }

    /// The variable named `name` (by its name, else by one of its aliases), or `nil`.
    public func variable(_ name: String) -> VariableDescriptor? {
        variables.first { $0.name == name } ?? variables.first { $0.aliases.contains(name) }
    }

    /// Compares all stored properties.
    public static func == (a: DatasetDescriptor, b: DatasetDescriptor) -> Bool {
        a.location == b.location && a.grid == b.grid && a.spatialDimensions == b.spatialDimensions
            && a.timeDimension == b.timeDimension && a.timeUnits == b.timeUnits && a.timeValues == b.timeValues
            && a.variables == b.variables && a.attributes == b.attributes && a.levels == b.levels
            && a.level == b.level && a.overviews == b.overviews && a.levelCoordinates == b.levelCoordinates
            && a.memberCoordinates == b.memberCoordinates
            && a.cellStorage == b.cellStorage
    }

    /// Hashes the location and grid.
    public func hash(into hasher: inout Hasher) {
        hasher.combine(location)
        hasher.combine(grid)
    }
}

/// A 1-D vertical coordinate of a dataset (see `DatasetDescriptor.levelCoordinates`).
public struct LevelCoordinate: Hashable, Sendable {
    /// The stored values, in storage order, in `coordinate.sourceUnits`.
    public var values: [Double]
    /// What they measure.
    public var coordinate: VerticalCoordinate

    /// Creates a coordinate.
    public init(values: [Double], coordinate: VerticalCoordinate) {
        self.values = values
        self.coordinate = coordinate
    }
}
