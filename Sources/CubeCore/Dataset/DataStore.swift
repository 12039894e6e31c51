/// Reads the pixels of one opened dataset.
///
/// ## Implementation guidance
/// - Reads return decoded physical values (CF masking and unpacking applied, NaN for missing) as
///   `Float`, in row-major order of the window, rows following the grid's y storage order.
/// - Read only what is asked for; never whole variables unless the window is the whole grid.
/// - Readers are shared between tasks: serialise access to non-thread-safe libraries inside.
public protocol DatasetReader: Sendable {
    /// What the dataset holds.
    var descriptor: DatasetDescriptor { get }

    /// Reads one time step of `variable` over `window` of the grid.
    /// - Parameters:
    ///   - variable: The variable's name in the source.
    ///   - timeIndex: The time step, an index into `descriptor.dates` (ignored without a time axis).
    ///   - window: The rows and columns to read.
    /// - Returns: `window.count` decoded values, row-major.
    /// - Throws: `CubeError` naming the file and variable when the read fails.
    func read(_ variable: String, timeIndex: Int, window: PixelWindow) async throws -> [Float]
}

/// A reader of variables with dimensions besides time, y and x — a vertical one (a NetCDF `plev`,
/// `DatasetDescriptor.levelCoordinates`), an ensemble member (`memberCoordinates`) — that reads
/// one element of each named dimension (DESIGN.md §15, §16).
///
/// ## Implementation guidance
/// - Each `selection` index indexes its dimension in storage order; any other dimension besides
///   time, y and x must be one long. Values decode as in `read(_:timeIndex:window:)`.
public protocol LevelDatasetReader: DatasetReader {
    /// Reads one time step of `variable` at one index of each dimension of `selection` over `window`.
    /// - Throws: `CubeError` naming the file, variable, dimension and index when the read fails.
    func read(_ variable: String, timeIndex: Int, selection: [(dimension: String, index: Int)], window: PixelWindow) async throws -> [Float]
}

/// A reader that can also read the reduced-resolution versions of its grid the descriptor lists
/// (`DatasetDescriptor.overviews`, a COG's internal overviews): the pipeline reads an overview
/// instead of the full grid when it down-samples by a large factor.
///
/// ## Implementation guidance
/// - `overview` 0 is the full grid (the same as `read(_:timeIndex:window:)`); `k` is
///   `descriptor.overviews[k - 1]`, and `window` is in that grid's pixels.
/// - Values decode as at full resolution (same missing values, scale and offset).
public protocol MultiResolutionReader: DatasetReader {
    /// Reads one time step of `variable` over `window` of overview `overview`.
    /// - Throws: `CubeError` naming the file when the overview does not exist or the read fails.
    func read(_ variable: String, timeIndex: Int, window: PixelWindow, overview: Int) async throws -> [Float]
}

/// A source of gridded datasets in one file format, registered under the name used in recipes.
///
/// ## Implementation guidance
/// - `describe` must not read data values (coordinates and attributes only): the planner calls it
///   for every input before any pixel moves.
/// - Identify axes by CF metadata (`axis`, `standard_name`, `units`), not by variable names alone.
/// - Errors name the file and, where relevant, the variable.
public protocol DataStore: Sendable {
    /// Describes the dataset at `path` without reading data values.
    /// - Throws: `CubeError` naming the file when it cannot be opened or understood.
    func describe(path: String) async throws -> DatasetDescriptor
    /// Opens the dataset at `path` for reading.
    /// - Throws: `CubeError` naming the file when it cannot be opened.
    func open(path: String) async throws -> any DatasetReader
}

/// A data store's recipe name, summary and instance, as kept in a `DataStoreRegistry`.
public struct DataStoreDescriptor: Sendable {
    /// The name used in recipes (`store: netcdf`).
    public var identifier: String
    /// One line for listings.
    public var summary: String
    /// The store.
    public var store: any DataStore

    /// Creates a descriptor.
    public init(identifier: String, summary: String, store: any DataStore) {
        self.identifier = identifier
        self.summary = summary
        self.store = store
    }
}

/// The data stores a pipeline may use, by recipe name. A value: embedders pass their own.
public struct DataStoreRegistry: Sendable {
    /// The stores, by identifier.
    public private(set) var stores: [String: DataStoreDescriptor] = [:]

    /// Creates an empty registry.
    public init() {}

    /// Adds or replaces a store.
    public mutating func register(_ descriptor: DataStoreDescriptor) { stores[descriptor.identifier] = descriptor }

    /// The store registered as `identifier`, or `nil`.
    public func store(_ identifier: String) -> (any DataStore)? { stores[identifier]?.store }
}
