public import CubeCore
import CubeStorage
import Foundation
import Zarr

/// Reads Zarr groups with CF conventions, as xarray and xcube write them (`store: zarr` in recipes).
///
/// - Zarr v2 (`.zarray`/`.zattrs`, dimensions in `_ARRAY_DIMENSIONS`) and v3 (`zarr.json`,
///   `dimension_names`), consolidated (`.zmetadata`; zarr-python's inline `consolidated_metadata`)
///   or not (arrays found by listing), sharded (`sharding_indexed`) or not; codecs blosc, zstd,
///   zlib, gzip and crc32c. Another codec is an error naming it.
/// - CF decoding as for NetCDF (`CFDatasetDescription`): axes by `axis`/`standard_name`/`units`,
///   `_FillValue` (v3: base64 float64 as xarray writes it; v2: the array's `fill_value`) and
///   `missing_value`, `scale_factor`/`add_offset`, time `units` and every CF calendar, the CRS from
///   `grid_mapping` or a `spatial_ref`/`crs` variable (rioxarray, xcube).
/// - xcube multi-resolution pyramids (`NAME.levels/` with `0.zarr`, `1.zarr`, … and `.zlevels`):
///   every level is described in `DatasetDescriptor.levels`; a `DatasetReference.level` picks one.
/// - Reads fetch only the chunks a window touches; from a shard, its index and then each needed
///   inner chunk by byte range. Damaged chunks are errors (never filled).
///
/// The store reads through any `ReadableStorage` (`StorageDataStore`): local directories, `s3://`
/// and `https://` prefixes, never downloading a dataset whole.
public struct ZarrStore: StorageDataStore {
    /// The name used in recipes.
    public static let identifier = "zarr"

    /// The registry entry.
    public static let descriptor = DataStoreDescriptor(
        identifier: identifier,
        summary: "Zarr v2/v3 groups (consolidated or not, sharded or not) and xcube .levels pyramids, read by chunk",
        store: ZarrStore())

    /// Bytes of decoded chunks kept for all datasets this store opened together, so the time steps
    /// of a chunk decode it once.
    public let chunkCacheBudget: Int
    private let cache: ZarrChunkCache

    /// Whether reads decode only the time step they need of chunks holding several, keeping the
    /// stored (compressed) chunks in the cache: for random access to single steps, as a tile
    /// server's, where decoding whole chunks of many steps would waste most of the work.
    public let decodesSteps: Bool

    /// Creates the store with its chunk cache (default 256 MB).
    public init(chunkCacheBudget: Int = 256 << 20, decodesSteps: Bool = false) {
        self.chunkCacheBudget = chunkCacheBudget
        self.decodesSteps = decodesSteps
        cache = ZarrChunkCache(budget: chunkCacheBudget)
    }

    /// Describes the Zarr group or pyramid in the local directory `path`.
    public func describe(path: String) async throws -> DatasetDescriptor { try await describe(ZarrStore.localReference(path)) }

    /// Opens the Zarr group or pyramid in the local directory `path`.
    public func open(path: String) async throws -> any DatasetReader { try await open(ZarrStore.localReference(path)) }

    /// Describes the dataset `reference` points to, at its level: reads metadata and coordinates only.
    public func describe(_ reference: DatasetReference) async throws -> DatasetDescriptor {
        try await load(reference).group.descriptor
    }

    /// Opens the dataset `reference` points to, at its level.
    public func open(_ reference: DatasetReference) async throws -> any DatasetReader {
        let (group, storage) = try await load(reference)
        var arrays: [String: ZarrArrayReader] = [:]
        for variable in group.descriptor.variables {
            guard let array = group.variables[variable.name] else { continue }
            do {
                arrays[variable.name] = try ZarrArrayReader(storage: storage, spec: array.spec, format: array.format)
            } catch {
                throw ZarrStoreErrors.wrap(error, location: reference.location, array: variable.name)
            }
        }
        var reader = ZarrDatasetReader(descriptor: group.descriptor, arrays: arrays, cache: cache)
        reader.decodesSteps = decodesSteps
        return reader
    }

    /// The reference of a local directory.
    static func localReference(_ path: String) throws -> DatasetReference {
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) else {
            throw CubeError(.invalidInput, "input '\(path)' does not exist", context: ["file": path])
        }
        guard isDirectory.boolValue else {
            throw CubeError(.invalidInput, "'\(path)' is not a Zarr store: it is a file, not a directory", context: ["file": path])
        }
        return DatasetReference(location: path, storage: FileSystemStorage(root: URL(fileURLWithPath: path)))
    }

    /// The group at the reference's level, and the storage rooted at that group.
    private func load(_ reference: DatasetReference) async throws -> (group: ZarrGroupDescription, storage: any ReadableStorage) {
        let location = reference.location
        do {
            guard let pyramid = try await ZarrPyramid.find(in: reference.storage, location: location) else {
                if let level = reference.level, level != 0 {
                    throw CubeError(.invalidInput, "'\(location)' has one resolution level; level \(level) was asked for", context: ["file": location])
                }
                return (try await ZarrGroupDescription.load(reference.storage, location: location), reference.storage)
            }
            var levels: [ZarrGroupDescription] = []
            for level in pyramid.levels {
                levels.append(try await ZarrGroupDescription.load(level.storage, location: location + "/" + level.path))
            }
            let chosen = reference.level ?? 0
            guard levels.indices.contains(chosen) else {
                throw CubeError(.invalidInput, "'\(location)' has \(levels.count) levels; level \(chosen) was asked for", context: ["file": location])
            }
            let resolutionLevels = zip(pyramid.levels, levels).enumerated().map {
                ResolutionLevel(index: $0.offset, path: $0.element.0.path, grid: $0.element.1.descriptor.grid)
            }
            var group = levels[chosen]
            group.descriptor.location = location
            group.descriptor.levels = resolutionLevels
            group.descriptor.level = resolutionLevels[chosen]
            group.descriptor.format = (group.descriptor.format ?? "Zarr") + ", xcube pyramid of \(levels.count) levels"
            return (group, pyramid.levels[chosen].storage)
        } catch {
            throw ZarrStoreErrors.wrap(error, location: location, array: nil)
        }
    }
}
