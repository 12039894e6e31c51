import Synchronization

/// What planning learnt about remote objects that the next reads of the same objects in this
/// process reuse instead of asking the server again:
/// - an object inspected by HEAD (or listed) while planning answers the "unchanged since planning"
///   checks of planning's own descriptions moments later (the run's open checks again);
/// - the byte ranges a description fetched (a COG's header and tile index) serve later
///   descriptions of it, and once the run's open of the object, after that open's own check found
///   it unchanged; then they are forgotten (the opened reader keeps its own pages).
///
/// Shared by every copy of one source's `SourceInputs`; safe to use from any task.
final class PlanningReads: Sendable {
    /// Bytes of recorded ranges kept per object (a COG's header pages fit many times over).
    static let perObjectLimit = 1 << 20
    /// Bytes of recorded ranges kept in all (a search of many items keeps the first ones' only).
    static let totalLimit = 16 << 20

    private struct State {
        var inspected: Set<String> = []
        var ranges: [String: [Range<Int>: [UInt8]]] = [:]
        var bytes: [String: Int] = [:]
        var total = 0
    }

    private let state = Mutex(State())

    /// Notes that `url` was just inspected (HEAD or listing) by planning.
    func inspected(_ url: String) {
        state.withLock { _ = $0.inspected.insert(url) }
    }

    /// Whether planning inspected `url`.
    func wasInspected(_ url: String) -> Bool {
        state.withLock { $0.inspected.contains(url) }
    }

    /// Keeps `bytes`, read from `range` of `url` while describing it, within the limits.
    func record(_ url: String, range: Range<Int>, bytes: [UInt8]) {
        state.withLock { state in
            let held = state.bytes[url, default: 0]
            guard held + bytes.count <= Self.perObjectLimit, state.total + bytes.count <= Self.totalLimit,
                  state.ranges[url]?[range] == nil else { return }
            state.ranges[url, default: [:]][range] = bytes
            state.bytes[url] = held + bytes.count
            state.total += bytes.count
        }
    }

    /// The bytes recorded for exactly `range` of `url`, kept (another description of it).
    func peek(_ url: String, range: Range<Int>) -> [UInt8]? {
        state.withLock { $0.ranges[url]?[range] }
    }

    /// The bytes recorded for exactly `range` of `url`, forgotten once served (the run's open).
    func take(_ url: String, range: Range<Int>) -> [UInt8]? {
        state.withLock { state in
            guard let bytes = state.ranges[url]?.removeValue(forKey: range) else { return nil }
            state.bytes[url, default: 0] -= bytes.count
            state.total -= bytes.count
            if state.ranges[url]?.isEmpty == true {
                state.ranges[url] = nil
                state.bytes[url] = nil
            }
            return bytes
        }
    }
}
