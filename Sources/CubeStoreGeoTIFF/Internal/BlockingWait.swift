import Dispatch
import Synchronization

/// Waits on the calling thread for an async operation: the bridge from libtiff's synchronous
/// read callbacks to `ByteRangeReader`. Only ever called on a file's own dispatch queue (or a
/// global queue while opening), never on a Swift-concurrency thread, so the awaited task always
/// has threads to run on.
enum BlockingWait {
    /// Runs `operation` in a task and blocks until it finishes; returns its value or rethrows.
    static func result<T: Sendable>(_ operation: @escaping @Sendable () async throws -> T) throws -> T {
        let box = Mutex<Result<T, any Error>?>(nil)
        let done = DispatchSemaphore(value: 0)
        Task {
            let outcome: Result<T, any Error>
            do { outcome = .success(try await operation()) } catch { outcome = .failure(error) }
            box.withLock { $0 = outcome }
            done.signal()
        }
        done.wait()
        return try box.withLock { $0! }.get()
    }
}
