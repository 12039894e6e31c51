public import CubeCore
import Foundation

/// Reads NetCDF-3 and NetCDF-4/HDF5 files with CF conventions (`store: netcdf` in recipes).
///
/// - Axes are found by CF metadata (`axis`, `standard_name`, `units`) in any dimension order;
///   latitude may run either way, longitude may be −180…180 or 0…360.
/// - The CRS comes from the variables' `grid_mapping` (its `crs_wkt` or `spatial_ref`, else its
///   CF parameters); a lon/lat grid without one is WGS 84.
/// - Time is decoded from `units` and `calendar` (every CF calendar).
/// - Values are decoded with `_FillValue`, `missing_value`, `valid_min`/`valid_max`/`valid_range`,
///   `scale_factor` and `add_offset`.
///
/// libnetcdf needs a local path: remote URLs are not supported by this store. All calls into the
/// library are serialised (it is not thread-safe). For chunked netCDF-4 variables whose filters
/// are deflate/shuffle/Fletcher-32, reads fetch the stored chunks with HDF5 under the lock and
/// decode them outside it, on the reading task's thread (`directChunkReads`).
public struct NetCDFStore: DataStore {
    /// The name used in recipes.
    public static let identifier = "netcdf"

    /// The registry entry.
    public static let descriptor = DataStoreDescriptor(
        identifier: identifier, summary: "NetCDF-3 and NetCDF-4/HDF5 files with CF conventions", store: NetCDFStore())

    /// The netCDF-C library version.
    public static var libraryVersion: String { NetCDFLibrary.version }

    /// The HDF5 library version netCDF-4 files are read with.
    public static var hdf5Version: String { NetCDFLibrary.hdf5Version }

    /// Whether chunked netCDF-4 variables are read as raw chunks and decoded outside the library
    /// lock (default true; the environment variable `CUBEGEN_HDF5_DIRECT=0` turns it off).
    public var directChunkReads: Bool

    /// Creates the store; `directChunkReads` `nil` follows `CUBEGEN_HDF5_DIRECT` (on unless "0").
    public init(directChunkReads: Bool? = nil) {
        self.directChunkReads = directChunkReads ?? (ProcessInfo.processInfo.environment["CUBEGEN_HDF5_DIRECT"] != "0")
    }

    /// Describes the file at `path`: grid, time axis, variables and attributes (reads coordinates only).
    public func describe(path: String) async throws -> DatasetDescriptor {
        try await NetCDFLibrary.run { try NetCDFStore.describe(file: try NetCDFStore.openFile(path)).descriptor }
    }

    /// Opens the file at `path` for reading.
    public func open(path: String) async throws -> any DatasetReader {
        let direct = directChunkReads
        return try await NetCDFLibrary.run {
            let file = try NetCDFStore.openFile(path)
            let (descriptor, structure) = try NetCDFStore.describe(file: file)
            return NetCDFDatasetReader(file: file, descriptor: descriptor, structure: structure,
                                       chunks: direct ? HDF5Chunks(path: path) : nil)
        }
    }

    static func openFile(_ path: String) throws -> NetCDFFile {
        guard FileManager.default.fileExists(atPath: path) else {
            throw CubeError(.invalidInput, "input file '\(path)' does not exist", context: ["file": path])
        }
        do {
            try ClassicHeaderCheck.check(path: path)
        } catch let failure as ClassicHeaderCheck.Failure {
            throw CubeError(.invalidInput, "'\(path)' is not a valid NetCDF classic file: \(failure.reason)", context: ["file": path])
        }
        do {
            return try NetCDFFile(path: path)
        } catch let error as NetCDFError {
            throw CubeError(.invalidInput, "cannot open '\(path)' as NetCDF: \(error.reason)", context: ["file": path],
                            underlying: error)
        }
    }

    static func describe(file: NetCDFFile) throws -> (descriptor: DatasetDescriptor, structure: NetCDFStructure) {
        let path = file.path
        do {
            let structure = try file.structure()
            let axes = try CFAxes(structure: structure, path: path)
            let (xDimension, yDimension) = axes.dimensions
            var ignored = Set(structure.variables.flatMap { v in
                ["bounds", "climatology"].compactMap { v.attributes[named: $0]?.text } + [v.attributes[named: "grid_mapping"]?.text ?? ""]
            })
            ignored.formUnion([axes.x.name, axes.y.name])
            let dataVariables = structure.variables.filter {
                $0.dimensions.contains(xDimension) && $0.dimensions.contains(yDimension) && $0.dimensions.count >= 2
                    && !ignored.contains($0.name) && $0.dataType != nil
            }
            let grid = try sourceGrid(file: file, axes: axes, structure: structure, dataVariables: dataVariables)
            var timeUnits: CFTimeUnits?
            var timeValues: [Double] = []
            var dates: [CalendarDate] = []
            if let time = axes.time {
                let calendarName = time.attributes[named: "calendar"]?.text ?? "standard"
                guard let calendar = CFCalendar(cfName: calendarName) else {
                    throw CubeError(.unsupported, "'\(path)': time calendar '\(calendarName)' is not a CF calendar",
                                    context: ["file": path])
                }
                guard let unitsText = time.attributes[named: "units"]?.text else {
                    throw CubeError(.invalidInput, "'\(path)': time variable '\(time.name)' has no units", context: ["file": path])
                }
                do {
                    let units = try CFTimeUnits(parsing: unitsText, calendar: calendar)
                    timeUnits = units
                    timeValues = try file.readDoubles(time)
                    if let bad = timeValues.firstIndex(where: { !$0.isFinite || abs($0 * units.unitSeconds) > 1e14 }) {
                        throw CubeError(.invalidInput,
                            "time value \(timeValues[bad]) at index \(bad) of '\(time.name)' is not a valid time (missing or fill value?)")
                    }
                    dates = timeValues.map(units.date)
                } catch let error as CubeError {
                    throw CubeError(error.code, "'\(path)': \(error.message)", context: ["file": path])
                }
            }
            let descriptor = DatasetDescriptor(
                location: path,
                grid: grid,
                spatialDimensions: (xDimension, yDimension), timeDimension: axes.time?.name, timeUnits: timeUnits,
                timeValues: timeValues, dates: dates,
                variables: dataVariables.map {
                    VariableDescriptor(name: $0.name, dimensions: $0.dimensions, shape: $0.shape, dataType: $0.dataType ?? .float32,
                                       attributes: $0.attributes, packing: CFPacking(attributes: $0.attributes))
                },
                attributes: structure.attributes)
            return (descriptor, structure)
        } catch let error as NetCDFError {
            throw CubeError(.io, "cannot read '\(path)': \(error)", context: ["file": path], underlying: error)
        }
    }

    /// The grid: 1-D axes with the grid mapping's CRS, or the geolocation of 2-D longitudes/latitudes.
    private static func sourceGrid(file: NetCDFFile, axes: CFAxes, structure: NetCDFStructure,
                                   dataVariables: [NetCDFStructure.Variable]) throws -> SourceGrid {
        let path = file.path
        if axes.isCurvilinear {
            func decoded(_ variable: NetCDFStructure.Variable) throws -> [Double] {
                var values = try file.readDoubles(variable)
                let packing = CFPacking(attributes: variable.attributes)
                for k in values.indices where packing.missingValues.contains(values[k]) || abs(values[k]) > 1e30 { values[k] = .nan }
                return values.map { $0 * packing.scaleFactor + packing.addOffset }
            }
            do {
                let geolocation = try Geolocation(width: axes.y.shape[1], height: axes.y.shape[0],
                                                  longitudes: try decoded(axes.x), latitudes: try decoded(axes.y))
                return try SourceGrid(geolocation: geolocation)
            } catch let error as CubeError {
                throw CubeError(.invalidInput, "'\(path)': 2-D coordinates '\(axes.x.name)'/'\(axes.y.name)': \(error.message)",
                                context: ["file": path])
            }
        }
        let xValues = try scaledToMetres(try file.readDoubles(axes.x), axes.x, geographic: axes.isGeographic, path: path)
        let yValues = try scaledToMetres(try file.readDoubles(axes.y), axes.y, geographic: axes.isGeographic, path: path)
        let xAxis: AxisCoordinates, yAxis: AxisCoordinates
        do {
            xAxis = try AxisCoordinates(xValues)
            yAxis = try AxisCoordinates(yValues)
        } catch let error as CubeError {
            throw CubeError(.invalidInput, "'\(path)': axis '\(axes.x.name)'/'\(axes.y.name)': \(error.message)",
                            context: ["file": path])
        }
        let crs = try gridCRS(structure: structure, dataVariables: dataVariables, axes: axes, path: path)
        return SourceGrid(crs: crs, isGeographic: axes.isGeographic, x: xAxis, y: yAxis)
    }

    private static func scaledToMetres(_ values: [Double], _ axis: NetCDFStructure.Variable, geographic: Bool,
                                       path: String) throws -> [Double] {
        guard !geographic else { return values }
        switch axis.attributes[named: "units"]?.text?.lowercased() ?? "m" {
        case "m", "metre", "meter", "metres", "meters", "1": return values
        case "km", "kilometre", "kilometer", "kilometres", "kilometers": return values.map { $0 * 1000 }
        case let other:
            throw CubeError(.unsupported, "'\(path)': projected axis '\(axis.name)' has units '\(other)'; m or km expected",
                            context: ["file": path])
        }
    }

    private static func gridCRS(structure: NetCDFStructure, dataVariables: [NetCDFStructure.Variable], axes: CFAxes,
                                path: String) throws -> CRSDefinition {
        let mappingNames = dataVariables.compactMap { $0.attributes[named: "grid_mapping"]?.text }
        if let reference = mappingNames.first {
            // Simple form "crs", or extended form "crs: x y".
            let name = String(reference.split(separator: ":").first ?? Substring(reference)).trimmingCharacters(in: .whitespaces)
            guard let mapping = structure.variable(name) else {
                throw CubeError(.invalidInput, "'\(path)': grid_mapping '\(name)' names no variable", context: ["file": path])
            }
            if let wkt = mapping.attributes[named: "crs_wkt"]?.text ?? mapping.attributes[named: "spatial_ref"]?.text,
                !wkt.isEmpty {
                return CRSDefinition(wkt)
            }
            if let proj = CFGridMapping.projString(from: mapping.attributes) { return CRSDefinition(proj) }
            throw CubeError(.unsupported,
                "'\(path)': grid mapping '\(name)' has no crs_wkt and an unsupported grid_mapping_name '\(mapping.attributes[named: "grid_mapping_name"]?.text ?? "")'",
                context: ["file": path])
        }
        if axes.isGeographic { return .wgs84 }
        throw CubeError(.invalidInput, "'\(path)': projected x/y coordinates but no grid_mapping on any data variable",
                        context: ["file": path])
    }
}
