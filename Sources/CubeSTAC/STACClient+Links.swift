import CubeStorageS3
import CubeCore
public import Foundation

extension STACClient {
    /// The item at `url` (a `GET`, with the client's headers).
    /// - Throws: `CubeError` naming the URL: unreachable, an HTTP error, not a STAC item.
    public func item(at url: String) async throws -> STACItem {
        let response = try await send("GET", url, headers: headers + [(name: "accept", value: "application/geo+json, application/json")],
                                      body: nil)
        do {
            return try JSONDecoder().decode(STACItem.self, from: Data(response.body))
        } catch {
            throw CubeError(.invalidInput, "'\(url)' did not answer with a STAC item", context: ["url": url])
        }
    }

    /// Sends the request a link describes (its method, default `GET`, and JSON body), its href
    /// resolved against `base`, and returns the answer's body.
    /// - Throws: `CubeError` naming the URL: unreachable, an HTTP error, an href that is not a URL.
    public func follow(_ link: STACLink, from base: URL) async throws -> [UInt8] {
        guard let url = URL(string: link.href, relativeTo: base)?.absoluteURL else {
            throw CubeError(.invalidInput, "link '\(link.rel)' has an href '\(link.href)' that is not a URL", context: ["url": base.absoluteString])
        }
        var headers = self.headers + [(name: "accept", value: "application/json")]
        var body: [UInt8]?
        let method = (link.method ?? (link.body == nil ? "GET" : "POST")).uppercased()
        if method == "POST" {
            body = Array((link.body ?? .object([:])).text.utf8)
            headers.append((name: "content-type", value: "application/json"))
        }
        return try await send(method, url.absoluteString, headers: headers, body: body).body
    }
}
