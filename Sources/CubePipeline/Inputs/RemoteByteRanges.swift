import CubeCore
import CubeStorage

/// The byte ranges of one planned remote object, read from its storage (an S3 or HTTPS ranged
/// GET each): what a `RangeReadingStore` reads instead of a downloaded copy.
struct RemoteByteRanges: ByteRangeReader {
    let object: RemoteObject

    var size: Int { object.info.size }

    func read(_ range: Range<Int>) async throws -> [UInt8] {
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
