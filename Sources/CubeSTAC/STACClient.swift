import CubeCore
public import CubeStorageS3
import CubeStorage
import Foundation

/// Searches a STAC catalogue: a STAC API (its landing page's `search` link, `POST` or `GET`, every
/// page through `next` links) or a static catalogue (a catalogue, collection or item-collection
/// file or URL, crawled through `child` and `item` links and filtered here).
///
/// Requests go through `HTTPAPIClient` (the HTTP stack object storage uses). `headers` (a bearer
/// token) go with every request to the catalogue and never into a message.
public struct STACClient: Sendable {
    /// The HTTP client.
    public var http: HTTPAPIClient
    /// Headers sent with every request (`authorization`).
    public var headers: [(name: String, value: String)]
    /// The most pages one search may read (a server that loops on its `next` link stops here).
    public var maximumPages = 10_000
    /// The most documents a static catalogue crawl may read.
    public var maximumDocuments = 100_000

    /// Creates a client.
    public init(http: HTTPAPIClient, headers: [(name: String, value: String)] = []) {
        self.http = http
        self.headers = headers
    }

    /// Runs `search` against the catalogue at `root`.
    /// - Parameters:
    ///   - root: A STAC API landing page URL, or a static catalogue/collection/item-collection file path or URL.
    ///   - method: `POST` or `GET` for an API; `nil` picks `POST` when the landing page offers it.
    /// - Returns: Every item of every page, and the request made.
    /// - Throws: `CubeError` naming the URL: unreachable (`.storage`), an HTTP error with its status
    ///   and message, a document that is not STAC JSON, `query`/`filter` on a static catalogue.
    public func search(root: String, _ search: STACSearch, method: String? = nil) async throws -> STACSearchResult {
        let rootURL = try Self.url(root)
        let (landing, _) = try await document(at: rootURL)
        if landing.type == "FeatureCollection" {
            let items = (landing.features ?? []).map { STACFoundItem(item: $0, source: rootURL) }
            return try staticSearch(root: root, rootURL: rootURL, items: items, documents: 1, search)
        }
        let searchLinks = landing.links("search")
        guard !searchLinks.isEmpty else {
            return try await crawl(root: root, rootURL: rootURL, landing: landing, search)
        }
        let offersPOST = searchLinks.contains { ($0.method ?? "GET").uppercased() == "POST" }
        let chosen = (method ?? (offersPOST ? "POST" : "GET")).uppercased()
        let link = searchLinks.first { ($0.method ?? "GET").uppercased() == chosen } ?? searchLinks[0]
        guard let endpoint = URL(string: link.href, relativeTo: rootURL)?.absoluteURL else {
            throw CubeError(.invalidInput, "the STAC API at '\(root)' has a search link '\(link.href)' that is not a URL", context: ["url": root])
        }
        return try await apiSearch(root: root, endpoint: endpoint, method: chosen, search)
    }

    // MARK: - API

    private func apiSearch(root: String, endpoint: URL, method: String, _ search: STACSearch) async throws -> STACSearchResult {
        var items: [STACFoundItem] = []
        let first = method == "POST" ? search.body.text : search.queryString
        var request: (url: String, method: String, body: STACJSON?) =
            method == "POST" ? (endpoint.absoluteString, "POST", search.body)
                             : (endpoint.absoluteString + (first.isEmpty ? "" : "?" + first), "GET", nil)
        var seen: Set<String> = []
        var pages = 0
        while true {
            pages += 1
            let key = "\(request.method) \(request.url) \(request.body?.text ?? "")"
            guard seen.insert(key).inserted, pages <= maximumPages else {
                throw CubeError(.invalidInput, "the STAC API at '\(root)' keeps answering with a next link to the same page (\(key.prefix(200))); stopped after \(pages - 1) pages",
                                context: ["url": root])
            }
            let page = try await fetchPage(request, root: root)
            guard let pageURL = URL(string: request.url) else { break }
            items += (page.features ?? []).map { STACFoundItem(item: $0, source: pageURL) }
            guard let next = page.links("next").first else { break }
            guard let nextURL = URL(string: next.href, relativeTo: pageURL)?.absoluteURL else {
                throw CubeError(.invalidInput, "the STAC API at '\(root)' gave a next link '\(next.href)' that is not a URL", context: ["url": root])
            }
            if (next.method ?? "GET").uppercased() == "POST" {
                var body = next.body ?? request.body ?? .object([:])
                if next.merge == true, case let .object(previous)? = request.body, case let .object(extra)? = next.body {
                    body = .object(previous.merging(extra) { $1 })
                }
                request = (nextURL.absoluteString, "POST", body)
            } else {
                request = (nextURL.absoluteString, "GET", nil)
            }
            if (page.features ?? []).isEmpty { break }
        }
        let record = STACSearchRecord(root: root, endpoint: endpoint.absoluteString, method: method, request: first, pages: pages, items: items.count)
        return STACSearchResult(items: items, record: record)
    }

    private func fetchPage(_ request: (url: String, method: String, body: STACJSON?), root: String) async throws -> STACDocument {
        var headers = self.headers + [(name: "accept", value: "application/geo+json, application/json")]
        var body: [UInt8]?
        if let json = request.body {
            body = Array(json.text.utf8)
            headers.append((name: "content-type", value: "application/json"))
        }
        let response = try await send(request.method, request.url, headers: headers, body: body)
        let document = try decode(response.body, url: request.url)
        guard document.type == "FeatureCollection" || document.features != nil else {
            throw CubeError(.invalidInput, "'\(request.url)' did not answer with a STAC item collection (type \(document.type ?? "none"))",
                            context: ["url": request.url])
        }
        return document
    }

    // MARK: - Static catalogues

    private func crawl(root: String, rootURL: URL, landing: STACDocument, _ search: STACSearch) async throws -> STACSearchResult {
        var items: [STACFoundItem] = []
        var documents = 1
        var queue: [(URL, Int)] = []
        var visited: Set<String> = [rootURL.absoluteString]
        func enqueue(_ document: STACDocument, from url: URL, depth: Int) {
            for link in document.links where ["child", "item", "items"].contains(link.rel) {
                guard let target = URL(string: link.href, relativeTo: url)?.absoluteURL,
                      visited.insert(target.absoluteString).inserted else { continue }
                queue.append((target, depth + 1))
            }
        }
        enqueue(landing, from: rootURL, depth: 0)
        while !queue.isEmpty {
            let (url, depth) = queue.removeFirst()
            guard documents < maximumDocuments, depth <= 16 else {
                throw CubeError(.invalidInput, "the static catalogue at '\(root)' has more than \(maximumDocuments) documents or is nested deeper than 16 levels",
                                context: ["url": root])
            }
            let (document, bytes) = try await self.document(at: url)
            documents += 1
            if document.type == "Feature" {
                do {
                    items.append(STACFoundItem(item: try JSONDecoder().decode(STACItem.self, from: Data(bytes)), source: url))
                } catch {
                    let name = url.isFileURL ? url.path : url.absoluteString
                    throw CubeError(.invalidInput, "'\(name)' is not a STAC item: \(Self.describe(error))", context: ["url": name])
                }
            }
            items += (document.features ?? []).map { STACFoundItem(item: $0, source: url) }
            enqueue(document, from: url, depth: depth)
        }
        return try staticSearch(root: root, rootURL: rootURL, items: items, documents: documents, search)
    }

    private func staticSearch(root: String, rootURL: URL, items: [STACFoundItem], documents: Int,
                              _ search: STACSearch) throws -> STACSearchResult {
        if search.query != nil || search.filter != nil {
            throw CubeError(.unsupported, "'\(root)' is a static STAC catalogue (no search API): query and filter need a STAC API; select with collections, ids, bbox and datetime",
                            context: ["url": root])
        }
        let filter = STACStaticFilter(search)
        let kept = items.filter { filter.matches($0.item) }
        let request = STACStaticFilter.describe(search)
        let record = STACSearchRecord(root: root, endpoint: rootURL.absoluteString, method: "static", request: request,
                                      pages: documents, items: kept.count)
        return STACSearchResult(items: kept, record: record)
    }

    // MARK: - Documents

    /// The document at `url` (a file or an HTTP GET).
    private func document(at url: URL) async throws -> (STACDocument, [UInt8]) {
        let bytes: [UInt8]
        if url.isFileURL {
            bytes = try loadBytes(url)
        } else {
            bytes = try await send("GET", url.absoluteString, headers: headers + [(name: "accept", value: "application/json")], body: nil).body
        }
        return (try decode(bytes, url: url.isFileURL ? url.path : url.absoluteString), bytes)
    }

    private func loadBytes(_ url: URL) throws -> [UInt8] {
        guard let data = FileManager.default.contents(atPath: url.path) else {
            throw CubeError(.invalidInput, "cannot read the STAC document '\(url.path)' (no such file or not readable)", context: ["file": url.path])
        }
        return Array(data)
    }

    private func decode(_ bytes: [UInt8], url: String) throws -> STACDocument {
        do {
            return try JSONDecoder().decode(STACDocument.self, from: Data(bytes))
        } catch {
            throw CubeError(.invalidInput, "'\(url)' is not a STAC document: \(Self.describe(error))", context: ["url": url])
        }
    }

    /// Sends a request; any status other than 2xx is an error with the status and the server's message.
    func send(_ method: String, _ url: String, headers: [(name: String, value: String)], body: [UInt8]?) async throws -> HTTPAPIResponse {
        let response: HTTPAPIResponse
        do {
            response = try await http.send(method: method, url: url, headers: headers, body: body)
        } catch let error as StorageError {
            throw CubeError(error.code == .invalid ? .invalidInput : .storage,
                            "cannot reach the STAC catalogue at '\(url.prefix { $0 != "?" })': \(error.reason)", context: ["url": url], underlying: error)
        }
        guard (200..<300).contains(response.status) else {
            let hint = [401, 403].contains(response.status)
                ? (headers.contains { $0.name == "authorization" } ? " (the bearer token was refused: it may have expired; renew it)"
                                                                    : " (the catalogue wants credentials: give the source token_env or token_file)")
                : ""
            throw CubeError(.storage, "the STAC catalogue answered HTTP \(response.status) to \(method) '\(url.prefix { $0 != "?" })': \(Self.message(response.body))\(hint)",
                            context: ["url": url, "status": String(response.status)])
        }
        return response
    }

    /// The message of an error answer: its JSON `description`/`detail`/`message`, or FastAPI's
    /// list of validation problems (`detail: [{loc, msg}]`, as stac-fastapi answers a request it
    /// refuses), else the start of its text.
    static func message(_ body: [UInt8]) -> String {
        if let json = try? JSONDecoder().decode(STACJSON.self, from: Data(body)) {
            for key in ["description", "detail", "message", "error"] {
                if let text = json[key]?.stringValue { return (json["code"]?.stringValue.map { "\($0): " } ?? "") + text }
            }
            if case let .array(problems)? = json["detail"] {
                let lines = problems.compactMap { problem -> String? in
                    guard let text = problem["msg"]?.stringValue else { return nil }
                    guard case let .array(parts)? = problem["loc"] else { return text }
                    let location = parts.compactMap { $0.stringValue ?? $0.numberValue.map { STACSearch.number($0) } }
                    return location.joined(separator: ".") + ": " + text
                }
                if !lines.isEmpty { return lines.joined(separator: "; ") }
            }
        }
        let text = String(decoding: body.prefix(300), as: UTF8.self).split(whereSeparator: \.isNewline).joined(separator: " ")
        return text.isEmpty ? "(no message)" : text
    }

    private static func describe(_ error: any Error) -> String {
        switch error {
        case let DecodingError.keyNotFound(key, context):
            return "missing '\(key.stringValue)' at \(context.codingPath.map(\.stringValue).joined(separator: "."))"
        case let DecodingError.typeMismatch(_, context), let DecodingError.valueNotFound(_, context):
            return "unexpected value at '\(context.codingPath.map(\.stringValue).joined(separator: "."))'"
        case DecodingError.dataCorrupted: return "not JSON"
        default: return "\(error)"
        }
    }

    /// A URL for `text`: `http(s)://…` as is, `file://…`, or a local path.
    static func url(_ text: String) throws -> URL {
        if text.hasPrefix("http://") || text.hasPrefix("https://") || text.hasPrefix("file://") {
            guard let url = URL(string: text) else {
                throw CubeError(.invalidInput, "'\(text)' is not a URL", context: ["url": text])
            }
            return url
        }
        return URL(fileURLWithPath: text)
    }
}
