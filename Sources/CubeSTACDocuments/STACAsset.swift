/// One asset of a STAC item: a file with its media type and, with the `file` extension, its
/// checksum and size.
public struct STACAsset: Codable, Hashable, Sendable {
    /// Where the file is (absolute, or relative to the item).
    public var href: String
    /// Its media type (`image/tiff; application=geotiff; profile=cloud-optimized`).
    public var type: String?
    /// A title.
    public var title: String?
    /// Roles (`data`, `thumbnail`, `metadata`).
    public var roles: [String]?
    /// `file:checksum`: a multihash, hex.
    public var checksum: String?
    /// `file:size`: bytes.
    public var size: Int?

    private enum CodingKeys: String, CodingKey {
        case href, type, title, roles
        case checksum = "file:checksum"
        case size = "file:size"
    }

    /// Creates an asset.
    public init(href: String, type: String? = nil, title: String? = nil, roles: [String]? = nil, checksum: String? = nil,
                size: Int? = nil) {
        self.href = href
        self.type = type
        self.title = title
        self.roles = roles
        self.checksum = checksum
        self.size = size
    }
}
