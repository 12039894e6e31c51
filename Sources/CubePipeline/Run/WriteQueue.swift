import CubeStorage
import Synchronization

/// Puts encoded chunks to storage in the background, at most `limit` at once, so chunk tasks
/// (bounded by CPU workers) never wait on the network while object stores get many requests in
/// flight (NEXT.md §1: an I/O budget of its own). Memory stays bounded: `submit` waits while
/// `limit` writes are pending. The first failure is rethrown by the next `submit` or by `drain`.
final class WriteQueue: Sendable {
    private let storage: any Storage
    private let limit: Int
    private let state = Mutex(State())

    private struct State {
        var inFlight = 0
        var waiting: [CheckedContinuation<Void, Never>] = []
        var drained: [CheckedContinuation<Void, Never>] = []
        var failure: (any Error)?
    }

    /// A queue writing to `storage` with at most `limit` (≥ 1) puts in flight.
    init(storage: any Storage, limit: Int) {
        self.storage = storage
        self.limit = max(1, limit)
    }

    /// Starts writing `bytes` under `key`, after waiting for a free slot.
    /// - Returns: the write, for callers that must know when it landed (a task record is written
    ///   only after its chunks).
    /// - Throws: the failure of an earlier write, if any.
    @discardableResult
    func submit(_ key: StoreKey, _ bytes: [UInt8]) async throws -> Task<Void, any Error> {
        await acquire()
        if let failure = state.withLock({ $0.failure }) {
            release()
            throw failure
        }
        let storage = self.storage
        return Task {
            defer { release() }
            do {
                try await storage.set(key, to: bytes)
            } catch {
                state.withLock { if $0.failure == nil { $0.failure = error } }
                throw error
            }
        }
    }

    /// Waits until every submitted write finished.
    /// - Throws: the first failure of any write.
    func drain() async throws {
        await withCheckedContinuation { continuation in
            let done = state.withLock { state -> Bool in
                if state.inFlight == 0 { return true }
                state.drained.append(continuation)
                return false
            }
            if done { continuation.resume() }
        }
        if let failure = state.withLock({ $0.failure }) { throw failure }
    }

    private func acquire() async {
        await withCheckedContinuation { continuation in
            let granted = state.withLock { state -> Bool in
                if state.inFlight < limit {
                    state.inFlight += 1
                    return true
                }
                state.waiting.append(continuation)
                return false
            }
            if granted { continuation.resume() }
        }
    }

    private func release() {
        let (next, drained) = state.withLock { state -> (CheckedContinuation<Void, Never>?, [CheckedContinuation<Void, Never>]) in
            if !state.waiting.isEmpty { return (state.waiting.removeFirst(), []) }   // the slot passes on
            state.inFlight -= 1
            if state.inFlight == 0 {
                let drained = state.drained
                state.drained = []
                return (nil, drained)
            }
            return (nil, [])
        }
        next?.resume()
        drained.forEach { $0.resume() }
    }
}
