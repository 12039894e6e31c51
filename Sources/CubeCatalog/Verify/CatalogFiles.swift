import CubeStorage
import Foundation

/// Reads the STAC files and checks asset hrefs wherever they are: local files directly, any other
/// URL (`s3://…`, `https://…`) through the storage registry.
struct CatalogFiles: Sendable {
    let registry: StorageRegistry
    let options: StorageOptions

    /// The bytes of the file at `url`, or `nil` when it does not exist or cannot be read.
    func read(_ url: URL) async -> [UInt8]? {
        if url.isFileURL { return FileManager.default.contents(atPath: url.path).map { [UInt8]($0) } }
        guard let (folder, key) = open(url) else { return nil }
        return try? await folder.get(key)
    }

    /// Whether something exists at `url`: a file or folder, an object, or a prefix holding objects.
    func exists(_ url: URL) async -> Bool {
        if url.isFileURL { return FileManager.default.fileExists(atPath: url.path) }
        guard let (folder, key) = open(url) else { return false }
        if (try? await folder.head(key)) != nil { return true }
        let listable = folder as? any ListableStorage
        return ((try? await listable?.listPage(prefix: key.rawValue + "/", continuation: nil, limit: 1))?.keys.isEmpty == false)
    }

    /// `href` resolved against the folder `base` (a file or remote URL).
    static func resolve(_ href: String, against base: URL) -> URL {
        if href.contains("://") { return URL(string: href) ?? base }
        if base.isFileURL { return URL(fileURLWithPath: href, relativeTo: base).standardizedFileURL }
        let folder = base.absoluteString.hasSuffix("/") ? base : URL(string: base.absoluteString + "/")!
        return URL(string: href, relativeTo: folder)?.absoluteURL ?? base
    }

    private func open(_ url: URL) -> (any ReadableStorage, StoreKey)? {
        let folder = url.deletingLastPathComponent()
        guard StoreKey.isValid(url.lastPathComponent), let location = try? StorageURL(folder.absoluteString),
              let store = try? registry.open(location, options: options)
        else { return nil }
        return (store, StoreKey(url.lastPathComponent))
    }
}
