import CubeCore
import CubeSTAC
import Foundation

/// Orders the items of a catalogue that holds data offline (DestinE HDA): an item whose
/// `order:status` is `orderable` is a placeholder; POSTing its `retrieve` link starts an order,
/// and the item (polled with bounded back-off, a progress line per poll) turns `succeeded` with
/// its data assets (`downloadLink`), or `failed`.
enum STACOrders {
    /// The `order:status` values of an order still running.
    static let pending: Set<String> = ["ordered", "shipping", "pending", "running", "queued", "accepted", "in_progress"]

    /// The item as it can be read: unchanged when it needs no order, else the ordered item.
    /// - Parameters:
    ///   - earlier: The URL of the item an earlier run's order of this placeholder made (from that
    ///     run's lineage): polled instead of ordering again while the catalogue still has it
    ///     succeeded or under way; a new order is placed when it is gone, failed or refused.
    ///   - timeout: The longest the order is waited for, in seconds.
    ///   - firstDelay: The first wait between polls (doubled up to `maximumDelay`).
    ///   - progress: Receives one line per poll.
    /// - Throws: `CubeError` naming the item: orderable without `order: true`, no retrieve link, a
    ///   failed order (with the catalogue's message), an order still pending at the timeout.
    static func fulfil(_ found: STACFoundItem, client: STACClient, order: Bool, earlier: String? = nil, timeout: Double,
                       firstDelay: Double = 0.25, maximumDelay: Double = 15,
                       progress: @Sendable (String) -> Void) async throws -> STACFoundItem {
        let item = found.item
        guard let status = item.properties["order:status"]?.stringValue, status != "succeeded" else { return found }
        guard status == "orderable" || pending.contains(status) else {
            if status == "failed" { throw failure(item, url: found.url) }
            return found
        }
        guard order else {
            throw CubeError(.invalidInput, "STAC item '\(item.name)' is not online (order:status \(status)); set order: true on the source to order it",
                            context: ["url": found.url])
        }
        var pollURL = found.url
        if status == "orderable", let earlier, let reused = await reusable(earlier, client: client) {
            pollURL = earlier
            progress("stac: item '\(item.name)' reuses the order an earlier run placed (order:status \(reused))")
        } else if status == "orderable" {
            guard let retrieve = item.link("retrieve") else {
                throw CubeError(.invalidInput, "STAC item '\(item.name)' is orderable but has no retrieve link", context: ["url": found.url])
            }
            let answer = try await client.follow(retrieve, from: found.source)
            // HDA answers with the ordered item; its self link is what to poll.
            if let ordered = try? JSONDecoder().decode(STACItem.self, from: Data(answer)), let link = ordered.link("self"),
               let url = URL(string: link.href, relativeTo: found.source)?.absoluteURL {
                pollURL = url.absoluteString
            }
            progress("stac: ordered item '\(item.name)'")
        }
        let clock = ContinuousClock()
        let start = clock.now
        var delay = firstDelay
        while true {
            let polled = try await client.item(at: pollURL)
            let now = polled.properties["order:status"]?.stringValue ?? "succeeded"
            let waited = (clock.now - start) / .seconds(1)
            switch now {
            case "succeeded":
                progress(String(format: "stac: item '%@' ready after %.1f s", item.name, waited))
                return STACFoundItem(item: polled, source: URL(string: pollURL) ?? found.source)
            case "failed":
                throw failure(polled, url: pollURL)
            default:
                guard waited + delay <= timeout else {
                    throw CubeError(.storage,
                        String(format: "the order of STAC item '%@' did not succeed within %.0f s (order:status %@); raise order_timeout or try later",
                               item.name, timeout, now), context: ["url": pollURL])
                }
                progress(String(format: "stac: item '%@' order:status %@ after %.1f s; next poll in %.1f s", item.name, now, waited, delay))
                try await Task.sleep(for: .milliseconds(Int(delay * 1000)))
                delay = min(maximumDelay, delay * 2)
            }
        }
    }

    /// The `order:status` of the ordered item at `url` when it can still be read from (succeeded)
    /// or waited for (under way); `nil` when it is gone, failed, refused or not an item.
    private static func reusable(_ url: String, client: STACClient) async -> String? {
        guard let item = try? await client.item(at: url) else { return nil }
        let status = item.properties["order:status"]?.stringValue ?? "succeeded"
        return status == "succeeded" || pending.contains(status) ? status : nil
    }

    private static func failure(_ item: STACItem, url: String) -> CubeError {
        let reason = ["order:message", "order:reason", "message"].lazy.compactMap { item.properties[$0]?.stringValue }.first
        return CubeError(.storage, "the order of STAC item '\(item.name)' failed (order:status failed\(reason.map { ": \($0)" } ?? ""))",
                         context: ["url": url])
    }
}
