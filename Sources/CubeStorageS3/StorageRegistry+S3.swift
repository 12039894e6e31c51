public import CubeStorage

extension StorageRegistry {
    /// Registers the `s3` scheme: `s3://bucket/prefix` opens an `S3Storage` configured by `resolver`
    /// (options, environment, AWS files), then adjusted by `adjust` (retries, concurrency, part size).
    public mutating func registerS3(
        resolver: S3ConfigurationResolver = S3ConfigurationResolver(),
        adjust: @escaping @Sendable (inout S3Configuration) -> Void = { _ in }
    ) {
        register(scheme: "s3") { url, options in
            var configuration = try resolver.resolve(options, bucket: url.authority)
            adjust(&configuration)
            return S3Storage(bucket: url.authority, prefix: url.path, configuration: configuration)
        }
    }

    /// Registers read-only `https` and `http` stores (plain GET with ranges, and HEAD).
    public mutating func registerHTTP(retry: RetryPolicy = RetryPolicy(), maximumConcurrentRequests: Int = 32) {
        for scheme in ["https", "http"] {
            register(scheme: scheme) { url, _ in
                HTTPStorage(url: url, retry: retry, maximumConcurrentRequests: maximumConcurrentRequests)
            }
        }
    }

    /// The standard backends plus `s3`, `https` and `http` with default settings.
    public static var withObjectStorage: StorageRegistry {
        var registry = StorageRegistry.standard
        registry.registerS3()
        registry.registerHTTP()
        return registry
    }
}
