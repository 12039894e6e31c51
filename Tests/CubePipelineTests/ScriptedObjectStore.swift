import CubeCrypto
import CubeGen
import Foundation
import Synchronization

/// A read-only store for cache tests: values set by the test, entity tags that are the MD5 of the
/// value unless overridden, an optional damage applied to what GET returns, and a count of GETs.
final class ScriptedObjectStore: ReadableStorage {
    private struct State {
        var values: [StoreKey: [UInt8]] = [:]
        var etags: [StoreKey: String] = [:]
        var gets = 0
        var rangedGets = 0
        var damage: (@Sendable ([UInt8]) -> [UInt8])?
    }

    private let state = Mutex(State())

    /// Sets the value at `key`; its entity tag becomes `etag`, or the hex MD5 of `value`.
    func put(_ key: StoreKey, _ value: [UInt8], etag: String? = nil) {
        state.withLock {
            $0.values[key] = value
            $0.etags[key] = etag ?? ByteEncoding.hex(MD5.digest(value))
        }
    }

    /// Makes every later GET return `transform(bytes)`.
    func damage(_ transform: @escaping @Sendable ([UInt8]) -> [UInt8]) { state.withLock { $0.damage = transform } }

    /// GET requests answered so far, and how many of them asked for a range.
    var requests: (gets: Int, ranged: Int) { state.withLock { ($0.gets, $0.rangedGets) } }

    /// The object for `key` as the cache sees it (after a HEAD).
    func object(_ key: StoreKey) async throws -> RemoteObject {
        RemoteObject(url: "s3://scripted/\(key)", storage: self, key: key, info: try await head(key)!)
    }

    func get(_ key: StoreKey) async throws -> [UInt8]? { try await get(key, range: .all) }

    func get(_ key: StoreKey, range: ByteRange) async throws -> [UInt8]? {
        try state.withLock { state in
            state.gets += 1
            if range != .all { state.rangedGets += 1 }
            guard let value = state.values[key] else { return nil }
            guard let offsets = range.offsets(in: value.count) else {
                throw StorageError(operation: "read", location: "s3://scripted/\(key)", reason: "range past the end", code: .invalid)
            }
            let bytes = Array(value[offsets])
            return state.damage.map { $0(bytes) } ?? bytes
        }
    }

    func head(_ key: StoreKey) async throws -> ObjectInfo? {
        state.withLock { state in state.values[key].map { ObjectInfo(size: $0.count, etag: state.etags[key]) } }
    }
}
