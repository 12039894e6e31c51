/// A link of a STAC document (STAC API `next` links may carry a method, a body and headers).
public struct STACLink: Codable, Hashable, Sendable {
    /// The relation: `self`, `root`, `child`, `item`, `items`, `search`, `next`, `retrieve`, ….
    public var rel: String
    /// The target, absolute or relative to the document.
    public var href: String
    /// The media type of the target.
    public var type: String?
    /// The HTTP method (`GET` when absent).
    public var method: String?
    /// The body to send with a `POST` link.
    public var body: STACJSON?
    /// Whether `body` is merged into the previous request's body (STAC API paging).
    public var merge: Bool?
    /// Headers to send.
    public var headers: [String: String]?

    /// Creates a link.
    public init(rel: String, href: String, type: String? = nil, method: String? = nil, body: STACJSON? = nil,
                merge: Bool? = nil, headers: [String: String]? = nil) {
        self.rel = rel
        self.href = href
        self.type = type
        self.method = method
        self.body = body
        self.merge = merge
        self.headers = headers
    }
}
