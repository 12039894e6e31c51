internal import CNetCDF
import Dispatch
import Foundation

/// Serialises every libnetcdf/HDF5 call: neither library is thread-safe.
///
/// Synchronous callers (`call`) take the lock on their own thread; asynchronous callers (`run`)
/// hop to a dedicated serial queue, so a blocking read never occupies a Swift-concurrency thread
/// and other tasks keep computing while it runs.
enum NetCDFLibrary {
    private static let lock = NSRecursiveLock()
    private static let queue = DispatchQueue(label: "cubegen.netcdf")

    /// HDF5's chunk cache per variable of files opened from now on: 1 MiB. The pipeline caches
    /// decoded planes itself and reads each HDF5 chunk once, so the library's default (16 MiB per
    /// variable per open file) would only hold memory.
    private static let chunkCacheConfigured: Bool = {
        nc_set_chunk_cache(1 << 20, 1009, 0.75) == NC_NOERR
    }()

    /// Runs `body` holding the library lock on the calling thread.
    static func call<T>(_ body: () throws -> T) rethrows -> T {
        lock.lock()
        defer { lock.unlock() }
        _ = chunkCacheConfigured
        cubegen_hdf5_silence_errors()
        return try body()
    }

    /// Runs `body` holding the library lock on the netCDF queue, suspending the caller meanwhile.
    static func run<T: Sendable>(_ body: @escaping @Sendable () throws -> T) async throws -> T {
        try await withCheckedThrowingContinuation { continuation in
            queue.async {
                continuation.resume(with: Result { try call(body) })
            }
        }
    }

    /// The library's version text (`nc_inq_libvers`).
    static var version: String {
        call { String(cString: nc_inq_libvers()).split(separator: " ").first.map(String.init) ?? "unknown" }
    }

    /// The HDF5 library's version (`H5get_libversion`).
    static var hdf5Version: String {
        call {
            var major: UInt32 = 0, minor: UInt32 = 0, release: UInt32 = 0
            _ = H5get_libversion(&major, &minor, &release)
            return "\(major).\(minor).\(release)"
        }
    }
}
