public import CubeCore
import Foundation

/// Reads NetCDF-3 and NetCDF-4/HDF5 files with CF conventions (`store: netcdf` in recipes).
///
/// - Axes are found by CF metadata (`axis`, `standard_name`, `units`) in any dimension order;
///   latitude may run either way, longitude may be −180…180 or 0…360.
/// - The CRS comes from the variables' `grid_mapping` (its `crs_wkt` or `spatial_ref`, else its
///   CF parameters), or a `spatial_ref`/`crs` variable; a lon/lat grid without one is WGS 84
///   (`CFDatasetDescription`, shared with the Zarr store).
/// - Time is decoded from `units` and `calendar` (every CF calendar).
/// - HEALPix grids (CF-1.13 `grid_mapping_name: healpix`, and the older `healpix_nside`/
///   `healpix_order` form) are cell grids: one cell dimension, all or a subset of the sphere's cells
///   (`CFHEALPixGrid`, `CellGridStorage`).
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
            try HDF5GlobalHeapCheck.check(path: path)
        } catch let failure as HDF5GlobalHeapCheck.Failure {
            throw CubeError(.invalidInput, "'\(path)' is not a valid NetCDF-4 file: \(failure.reason)", context: ["file": path])
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
            if let healpix = try CFHEALPixGrid.find(in: structure.variables, path: path) {
                let descriptor = try CFDatasetDescription.describe(location: path, variables: structure.variables,
                                                                   attributes: structure.attributes, healpix: healpix) { try file.readDoubles($0) }
                return (descriptor, structure)
            }
            let axes = try CFAxes(variables: structure.variables, path: path)
            let descriptor = try CFDatasetDescription.describe(location: path, variables: structure.variables,
                                                               attributes: structure.attributes, axes: axes) { try file.readDoubles($0) }
            return (descriptor, structure)
        } catch let error as NetCDFError {
            throw CubeError(.io, "cannot read '\(path)': \(error)", context: ["file": path], underlying: error)
        }
    }
}
