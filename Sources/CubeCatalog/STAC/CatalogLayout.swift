public import Foundation

/// Where a cube's catalogue files go. Inside the cube (they travel with it and are published with
/// it): `lineage.json` and `quicklooks/VAR.png`. Beside it: `NAME.stac.json` (the Collection,
/// unless `catalog.path` says otherwise) and `NAME.item.json` next to the Collection.
public struct CatalogLayout: Sendable {
    /// The cube's folder (`out/NAME.zarr`).
    public var cube: URL
    /// The Collection file.
    public var collection: URL

    /// The layout of `cube`, with the Collection at `collection` or beside the cube.
    public init(cube: URL, collection: URL? = nil) {
        self.cube = cube.standardizedFileURL
        let stem = cube.deletingPathExtension().lastPathComponent
        self.collection = collection?.standardizedFileURL ?? cube.deletingLastPathComponent().appendingPathComponent("\(stem).stac.json")
    }

    /// The Item file, beside the Collection.
    public var item: URL {
        let stem = collection.lastPathComponent.replacingOccurrences(of: ".stac.json", with: "").replacingOccurrences(of: ".json", with: "")
        return collection.deletingLastPathComponent().appendingPathComponent("\(stem).item.json")
    }

    /// A URL as users write it: a path for local files, the URL itself otherwise (`s3://…`).
    public static func text(_ url: URL) -> String { url.isFileURL ? url.path : url.absoluteString }

    /// The key of `lineage.json` inside the cube.
    public static let lineageKey = "lineage.json"

    /// The key of a variable's quick-look inside the cube.
    public static func quicklookKey(_ variable: String) -> String { "quicklooks/\(variable).png" }

    /// `target` relative to the Collection's folder (`./NAME.zarr/lineage.json`), or its absolute
    /// path (a URL such as `s3://bucket/…` for object storage) when it is not below that folder.
    public func relative(_ target: URL) -> String {
        let folder = collection.deletingLastPathComponent().standardizedFileURL.path
        let path = target.standardizedFileURL.path
        let prefix = folder.hasSuffix("/") ? folder : folder + "/"
        let sameStore = target.scheme == collection.scheme && target.host == collection.host
        if sameStore && path.hasPrefix(prefix) { return "./" + path.dropFirst(prefix.count) }
        // Elsewhere: an absolute path for local files, the full URL (s3://bucket/…) otherwise.
        return target.isFileURL ? path : target.absoluteString
    }
}
