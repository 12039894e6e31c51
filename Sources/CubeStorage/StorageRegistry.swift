import Foundation

/// The storage backends a tool knows, by URL scheme: a value built with the same calls a plugin
/// author makes (`register(scheme:_:)`), passed to whatever opens stores. No global state.
///
/// ```swift
/// var registry = StorageRegistry.standard      // file
/// registry.registerS3()                        // s3, https, http (module CubeStorageS3)
/// let store = try registry.openWritable(StorageURL("s3://bucket/cube.zarr"), options: StorageOptions())
/// ```
public struct StorageRegistry: Sendable {
    /// Opens a store for a parsed URL with options; throws `StorageError` (`.invalid`, `.denied`, …)
    /// when the URL or options cannot be used.
    public typealias Opener = @Sendable (StorageURL, StorageOptions) throws -> any ReadableStorage

    private var openers: [String: Opener] = [:]

    /// A registry with no backends.
    public init() {}

    /// The backends built into this module: `file` (local paths and `file://` URLs).
    public static var standard: StorageRegistry {
        var registry = StorageRegistry()
        registry.register(scheme: "file") { url, _ in
            FileSystemStorage(root: URL(fileURLWithPath: url.path))
        }
        return registry
    }

    /// Adds or replaces the backend for `scheme` (compared in lowercase).
    public mutating func register(scheme: String, _ open: @escaping Opener) {
        openers[scheme.lowercased()] = open
    }

    /// The registered schemes, sorted.
    public var schemes: [String] { openers.keys.sorted() }

    /// Opens a store for `url` that may be read-only.
    /// - Throws: `StorageError` with code `.invalid` for an unknown scheme, or whatever the backend throws.
    public func open(_ url: StorageURL, options: StorageOptions = StorageOptions()) throws -> any ReadableStorage {
        guard let opener = openers[url.scheme] else {
            throw StorageError(operation: "open", location: url.text,
                               reason: "unknown storage scheme '\(url.scheme)' (known: \(schemes.joined(separator: ", ")))",
                               code: .invalid)
        }
        return try opener(url, options)
    }

    /// Opens a store for `url` that can be read, written and listed.
    /// - Throws: `StorageError` with code `.invalid` when the scheme is unknown or its backend is read-only.
    public func openWritable(_ url: StorageURL, options: StorageOptions = StorageOptions()) throws -> any Storage {
        let store = try open(url, options: options)
        guard let writable = store as? any Storage else {
            throw StorageError(operation: "open for writing", location: url.text,
                               reason: "the '\(url.scheme)' backend is read-only", code: .invalid)
        }
        return writable
    }

    /// Parses `text` and opens a store that may be read-only.
    /// - Throws: `StorageError` with code `.invalid` for a malformed URL or an unknown scheme.
    public func open(_ text: String, options: StorageOptions = StorageOptions()) throws -> any ReadableStorage {
        try open(StorageURL(text), options: options)
    }
}
