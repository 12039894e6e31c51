public import CubeCore
public import CubeStorage
import CubeStorageS3
import CubeStoreGeoTIFF
import CubeStoreGRIB
import CubeStoreNetCDF
import CubeStoreZarr
public import Zarr

/// The extension points a pipeline uses: data stores, codecs and storage backends, by the names
/// recipes use. The one place where the built-in implementations are assembled; no pipeline stage
/// imports a concrete data store or storage backend.
public struct Registries: Sendable {
    /// Data stores by `store:` name.
    public var stores: DataStoreRegistry
    /// Zarr compressors by `id`.
    public var codecs: CodecRegistry
    /// Storage backends by URL scheme (`file`, `s3`, `https`, `http`).
    public var storage: StorageRegistry

    /// Creates registries.
    public init(stores: DataStoreRegistry, codecs: CodecRegistry, storage: StorageRegistry = .standard) {
        self.stores = stores
        self.codecs = codecs
        self.storage = storage
    }

    /// Everything built into CubeGen: the NetCDF, GRIB, Zarr and GeoTIFF stores, every codec, local files, S3 and HTTPS.
    public static var standard: Registries {
        var stores = DataStoreRegistry()
        stores.register(NetCDFStore.descriptor)
        stores.register(GeoTIFFStore.descriptor)
        stores.register(GRIBStore.descriptor)
        stores.register(ZarrStore.descriptor)
        return Registries(stores: stores, codecs: .standard, storage: .withObjectStorage)
    }
}

/// CubeGen's version, written into every cube.
public enum CubeGenVersion {
    /// The version text.
    public static let current = "0.2.0"
}
