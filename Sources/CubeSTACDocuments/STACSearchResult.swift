public import Foundation

/// One item a search found, with the URL of the document it was read from (relative asset
/// hrefs resolve against the item's `self` link, else against that document).
public struct STACFoundItem: Sendable {
    /// The item.
    public var item: STACItem
    /// The URL of the page or file the item came from.
    public var source: URL

    /// Creates a found item.
    public init(item: STACItem, source: URL) {
        self.item = item
        self.source = source
    }

    /// The item's own URL: its `self` link (resolved), else `source` with `#id`.
    public var url: String {
        if let link = item.link("self"), let resolved = URL(string: link.href, relativeTo: source) { return resolved.absoluteString }
        return source.absoluteString + "#" + item.id
    }

    /// `href` made absolute against the item's own URL.
    public func resolve(_ href: String) -> String {
        if href.contains("://") { return href }
        let base = item.link("self").flatMap { URL(string: $0.href, relativeTo: source) } ?? source
        guard let url = URL(string: href, relativeTo: base) else { return href }
        return url.isFileURL ? url.standardizedFileURL.path : url.absoluteString
    }
}

/// What was asked and how: the request a search sent (for errors, `cubegen plan` and the
/// lineage), so that a run can be traced back to its catalogue.
public struct STACSearchRecord: Hashable, Sendable {
    /// The catalogue's root as the recipe gave it.
    public var root: String
    /// The search endpoint, or the root for a static catalogue.
    public var endpoint: String
    /// `POST`, `GET`, or `static` (a catalogue without API, filtered here).
    public var method: String
    /// The first request: the `POST` body, or the `GET` query string.
    public var request: String
    /// Pages (or static documents) read.
    public var pages: Int
    /// Items returned.
    public var items: Int

    /// Creates a record.
    public init(root: String, endpoint: String, method: String, request: String, pages: Int, items: Int) {
        self.root = root
        self.endpoint = endpoint
        self.method = method
        self.request = request
        self.pages = pages
        self.items = items
    }

    /// One line: `POST http://…/search {"bbox":…}`.
    public var summary: String {
        method == "GET" ? "GET \(endpoint)?\(request)" : method == "static" ? "static catalogue \(endpoint), filtered by \(request)"
            : "\(method) \(endpoint) \(request)"
    }
}

/// The items of one search, every page read, and how they were asked for.
public struct STACSearchResult: Sendable {
    /// The items, in the order the catalogue returned them.
    public var items: [STACFoundItem]
    /// The request.
    public var record: STACSearchRecord

    /// Creates a result.
    public init(items: [STACFoundItem], record: STACSearchRecord) {
        self.items = items
        self.record = record
    }
}
