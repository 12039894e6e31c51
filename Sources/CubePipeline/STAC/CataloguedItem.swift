import CubeCore

/// One STAC item a source reads, as planned: its identity, time and the assets that give the
/// recipe's variables. Its `location` (the item's URL) is the "file" the rest of the pipeline sees.
struct CataloguedItem: Sendable, Hashable {
    /// One asset of the item that gives one of the recipe's source variables.
    struct Asset: Sendable, Hashable {
        /// The asset key (`B04`).
        var key: String
        /// The recipe's source variable name it gives (`red`).
        var variable: String
        /// Where the file is: a URL (`https://`, `s3://`) or a local path.
        var href: String
        /// The data store that reads it (`geotiff`).
        var store: String
        /// The entity tag the object had when planned (remote objects).
        var etag: String?
        /// Its size in bytes, when known.
        var bytes: Int?
        /// `file:checksum` from the item, when given.
        var checksum: String?
    }

    /// The item's URL (its `self` link), or the catalogue file and `#id`.
    var location: String
    /// The item identifier.
    var id: String
    /// Its collection.
    var collection: String?
    /// Its time (`datetime`, else `start_datetime`).
    var date: CalendarDate
    /// The assets read, in asset-key order.
    var assets: [Asset]

    /// A fingerprint of what is read: every asset's href with its entity tag, checksum or size.
    var fingerprint: String {
        assets.map { "\($0.key)=\($0.href) \($0.etag ?? $0.checksum ?? "-") \($0.bytes.map(String.init) ?? "-")" }.joined(separator: "; ")
    }
}
