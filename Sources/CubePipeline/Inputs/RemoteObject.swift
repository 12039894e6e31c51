public import CubeStorage

/// One object of a remote input: where it is (the URL users see in errors and the lineage), the
/// store and key that read it, and what a HEAD request said about it (size, entity tag).
public struct RemoteObject: Sendable {
    /// The object's URL, for example `s3://bucket/era5/t2m_2020.nc` or `https://host/data/a.nc`.
    public var url: String
    /// The store that reads it.
    public var storage: any ReadableStorage
    /// Its key in `storage`.
    public var key: StoreKey
    /// Size, entity tag and modification date, as last seen.
    public var info: ObjectInfo

    /// Creates a description of a remote object.
    public init(url: String, storage: any ReadableStorage, key: StoreKey, info: ObjectInfo) {
        self.url = url
        self.storage = storage
        self.key = key
        self.info = info
    }

    /// The entity tag when it is the MD5 of the content: 32 hex digits, no `-` (a single-part upload).
    var contentMD5: String? {
        guard let etag = info.etag?.lowercased(), etag.count == 32, etag.allSatisfy(\.isHexDigit) else { return nil }
        return etag
    }
}
