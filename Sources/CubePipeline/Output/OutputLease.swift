import CubeCore
import CubeStorage
import Foundation
import Zarr

/// The claim of one run on an output, so two runs writing the same cube at once cannot corrupt
/// it: the second refuses with a message naming the first (NEXT.md §3, safety).
///
/// The lease is one object created only if absent (`WriteCondition.ifAbsent`: `O_EXCL`-like on
/// disk, `If-None-Match: *` on S3): beside a local cube (`NAME.zarr.cubegen-lock`), inside an
/// object-store cube (`.cubegen/lease.json`). It names the holder (host, process id) and expires
/// two minutes after its last renewal (every 30 s while the run lives). A lease whose holder is
/// gone — its process no longer exists on this host, or its expiry passed — is taken over, so a
/// run killed with `kill -9` never blocks the next one for long. Shards of one run do not take
/// it (they write disjoint tasks); they refuse while a plain run holds it.
final class OutputLease: Sendable {
    /// Where the lease object is.
    let storage: any Storage
    let key: StoreKey
    /// The output, for messages.
    let location: String
    private let renewal: Task<Void, Never>

    /// How long a lease lives without renewal, and how often it is renewed.
    static let lifetime: TimeInterval = 120
    static let renewalInterval: Duration = .seconds(30)

    private init(storage: any Storage, key: StoreKey, location: String, renewal: Task<Void, Never>) {
        self.storage = storage
        self.key = key
        self.location = location
        self.renewal = renewal
    }

    /// Takes the lease on `target`'s output.
    /// - Throws: `CubeError` (`.outputExists`) naming the holder when another live run holds it.
    static func acquire(_ target: any OutputTarget) async throws -> OutputLease {
        let (storage, key) = target.lease
        for attempt in 0..<2 {
            do {
                try await storage.put(key, LeaseHolder.current().bytes, condition: .ifAbsent)
                let renewal = Task.detached(priority: .utility) {
                    while !Task.isCancelled {
                        try? await Task.sleep(for: renewalInterval)
                        guard !Task.isCancelled else { break }
                        try? await storage.set(key, to: LeaseHolder.current().bytes)
                    }
                }
                return OutputLease(storage: storage, key: key, location: target.location, renewal: renewal)
            } catch let error as StorageError where error.code == .conditionFailed && attempt == 0 {
                let holder = try await storage.get(key).flatMap(LeaseHolder.init(bytes:))
                if let holder, holder.isAlive {
                    throw busy(target, holder: holder)
                }
                // Gone (or unreadable, as a lease cut short by a crash can be): taken over.
                try await storage.delete(key)
            }
        }
        throw CubeError(.outputExists, "another run took the lease on '\(target.location)' at the same moment; try again",
                        context: ["path": target.location])
    }

    /// Throws when a live run holds the lease on `target` (a shard must not write under a plain run).
    static func checkFree(_ target: any OutputTarget) async throws {
        let (storage, key) = target.lease
        if let holder = try await storage.get(key).flatMap(LeaseHolder.init(bytes:)), holder.isAlive {
            throw busy(target, holder: holder)
        }
    }

    /// The holder of the lease on `target`, when a live run holds it (for `cubegen status`).
    static func holder(_ target: any OutputTarget) async throws -> String? {
        let (storage, key) = target.lease
        guard let holder = try await storage.get(key).flatMap(LeaseHolder.init(bytes:)), holder.isAlive else { return nil }
        return holder.description
    }

    private static func busy(_ target: any OutputTarget, holder: LeaseHolder) -> CubeError {
        CubeError(.outputExists,
            "output '\(target.location)' is being written by another run (\(holder)); wait for it to finish, "
            + "or delete '\(target.leaseDescription)' if that run is gone",
            context: ["path": target.location])
    }

    /// Ends the lease (after the run published or failed).
    func release() async {
        renewal.cancel()
        try? await storage.delete(key)
    }
}

/// Who holds a lease and until when, as stored in the lease object.
struct LeaseHolder: Sendable, CustomStringConvertible {
    var host: String
    var pid: Int32
    var started: String
    var expires: TimeInterval

    /// This process, with an expiry `OutputLease.lifetime` from now.
    static func current() -> LeaseHolder {
        LeaseHolder(host: ProcessInfo.processInfo.hostName, pid: ProcessInfo.processInfo.processIdentifier,
                    started: processStart, expires: Date().timeIntervalSince1970 + OutputLease.lifetime)
    }

    private static let processStart = ISO8601DateFormatter().string(from: Date())

    init(host: String, pid: Int32, started: String, expires: TimeInterval) {
        self.host = host
        self.pid = pid
        self.started = started
        self.expires = expires
    }

    init?(bytes: [UInt8]) {
        guard let json = try? JSONValue.parse(bytes), let host = json["host"]?.stringValue, let pid = json["pid"]?.intValue,
              let started = json["started"]?.stringValue, let expires = json["expires"]?.doubleValue
        else { return nil }
        self.init(host: host, pid: Int32(truncatingIfNeeded: pid), started: started, expires: expires)
    }

    var bytes: [UInt8] {
        Array((JSONValue.object([("host", .string(host)), ("pid", .int(Int64(pid))), ("started", .string(started)),
                                 ("expires", .double(expires.rounded()))]).serialized() + "\n").utf8)
    }

    /// Whether the holder may still be running: not expired, and on this host its process exists.
    var isAlive: Bool {
        guard expires > Date().timeIntervalSince1970 else { return false }
        guard host == ProcessInfo.processInfo.hostName else { return true }
        return kill(pid_t(pid), 0) == 0 || errno == EPERM
    }

    var description: String { "process \(pid) on \(host), started \(started)" }
}
