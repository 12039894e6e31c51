public import CubeStorage

/// Where a dataset that a store reads by range lives: the storage holding it (rooted at the
/// dataset, so its keys are the dataset's own, `.zgroup`, `tas/0.0.0`), the location the user
/// wrote, and which resolution level to read.
///
/// The pipeline builds it from a source's path and `storage_options` through its
/// `StorageRegistry` and hands it to a `StorageDataStore`; nothing is copied locally first.
public struct DatasetReference: Sendable {
    /// The path or URL as the recipe gave it (`cube.zarr`, `s3://bucket/cube.zarr`), for messages and lineage.
    public var location: String
    /// The storage rooted at the dataset.
    public var storage: any ReadableStorage
    /// The resolution level to read (0 = full resolution) for datasets with several
    /// (`DatasetDescriptor.levels`); `nil` reads level 0.
    public var level: Int?

    /// Creates a reference.
    public init(location: String, storage: any ReadableStorage, level: Int? = nil) {
        self.location = location
        self.storage = storage
        self.level = level
    }
}

/// A data store that reads its datasets itself, by range, through `ReadableStorage` (Zarr, later
/// COG): the pipeline hands it a `DatasetReference` instead of a local copy, so only the bytes a
/// task needs are fetched, locally, from `s3://` or from `https://`.
///
/// ## Implementation guidance
/// - `describe` reads metadata documents only (and coordinates), never data chunks.
/// - A dataset is a directory or key prefix, not one file: its `location` is that prefix.
/// - Report every resolution level in `DatasetDescriptor.levels`; describe and read the level the
///   reference asks for.
/// - The path-based `DataStore` requirements open local paths (the `file` storage).
public protocol StorageDataStore: DataStore {
    /// Describes the dataset `reference` points to, at its level, without reading data values.
    /// - Throws: `CubeError` naming the location when it cannot be read or understood.
    func describe(_ reference: DatasetReference) async throws -> DatasetDescriptor
    /// Opens the dataset `reference` points to, at its level, for reading.
    /// - Throws: `CubeError` naming the location when it cannot be opened.
    func open(_ reference: DatasetReference) async throws -> any DatasetReader
}
