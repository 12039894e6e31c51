public import CubeCore
import CubeStoreNetCDF
public import Zarr

/// The extension points a pipeline uses: data stores and codecs, by recipe name.
public struct Registries: Sendable {
    /// Data stores by `store:` name.
    public var stores: DataStoreRegistry
    /// Zarr compressors by `id`.
    public var codecs: CodecRegistry

    /// Creates registries.
    public init(stores: DataStoreRegistry, codecs: CodecRegistry) {
        self.stores = stores
        self.codecs = codecs
    }

    /// Everything built into CubeGen.
    public static var standard: Registries {
        var stores = DataStoreRegistry()
        stores.register(NetCDFStore.descriptor)
        return Registries(stores: stores, codecs: .standard)
    }
}

/// CubeGen's version, written into every cube.
public enum CubeGenVersion {
    /// The version text.
    public static let current = "0.2.0"
}
