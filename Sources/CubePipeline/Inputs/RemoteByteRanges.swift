import CubeCore
import CubeStorage

/// The byte ranges of one planned remote object, read from its storage (an S3 or HTTPS ranged
/// GET each): what a `RangeReadingStore` reads instead of a downloaded copy. While planning
/// describes the object, the ranges read are recorded in `planning`; when the run opens it,
/// recorded ranges are served from there (see `PlanningReads`).
struct RemoteByteRanges: ByteRangeReader {
    /// How this reader uses the planning's recorded ranges.
    enum Reuse {
        /// Record the ranges read, and serve ranges recorded before (describing while planning).
        case record
        /// Serve recorded ranges (opening for the run, after the object was checked unchanged).
        case replay
    }

    let object: RemoteObject
    var planning: PlanningReads?
    var reuse: Reuse = .record

    var size: Int { object.info.size }

    func read(_ range: Range<Int>) async throws -> [UInt8] {
        switch reuse {
        case .replay: if let recorded = planning?.take(object.url, range: range) { return recorded }
        case .record: if let recorded = planning?.peek(object.url, range: range) { return recorded }
        }
        let bytes = try await fetch(range)
        if reuse == .record { planning?.record(object.url, range: range, bytes: bytes) }
        return bytes
    }

    private func fetch(_ range: Range<Int>) async throws -> [UInt8] {
        let bytes: [UInt8]?
        do {
            bytes = try await object.storage.get(object.key, range: .bounded(range))
        } catch {
            throw StorageFailure.wrap(error, url: object.url)
        }
        guard let bytes else {
            throw CubeError(.invalidInput, "'\(object.url)' no longer exists (it was deleted after planning)", context: ["url": object.url])
        }
        guard bytes.count == range.count else {
            throw CubeError(.invalidInput, "'\(object.url)' returned \(bytes.count) bytes for a range of \(range.count): it changed after planning",
                            context: ["url": object.url])
        }
        return bytes
    }
}
