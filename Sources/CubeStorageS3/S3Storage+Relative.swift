public import CubeStorage

extension S3Storage: RelativeStorage {
    /// The store at `path` relative to this store's prefix, in the same bucket with the same
    /// configuration.
    /// - Throws: `StorageError` (`.invalid`) for a path that climbs above the bucket's root.
    public func storage(atRelativePath path: String) throws -> any ReadableStorage {
        let resolved = try RelativeKeyPath.resolve(path, from: prefix)
        guard !resolved.hasPrefix("..") else {
            throw StorageError(operation: "follow link", location: "s3://\(bucket)/\(prefix)", reason: "'\(path)' climbs above the bucket's root",
                               code: .invalid)
        }
        return S3Storage(bucket: bucket, prefix: resolved, configuration: configuration)
    }
}
