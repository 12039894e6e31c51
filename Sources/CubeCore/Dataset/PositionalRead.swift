#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Reads a byte range of an open file with `pread`, call after call until the range is read,
/// the file ends or a call fails (a call interrupted by a signal is tried again). The callers
/// word their own errors from the outcome.
public enum PositionalRead {
    /// What a read of `count` bytes came to: the bytes read (fewer than asked when the file ended
    /// first or a call failed) and the `errno` of the failed call (0 when none failed).
    public struct Outcome: Sendable {
        /// The bytes read into the buffer, from its start.
        public var read: Int
        /// The `errno` of the call that failed, 0 when none did.
        public var error: Int32
    }

    /// Reads `count` bytes at `offset` of `descriptor` into `buffer`.
    public static func read(_ descriptor: Int32, into buffer: UnsafeMutableRawPointer, count: Int, at offset: Int) -> Outcome {
        var done = 0
        while done < count {
            let n = pread(descriptor, buffer + done, count - done, off_t(offset + done))
            if n < 0 && errno == EINTR { continue }
            if n < 0 { return Outcome(read: done, error: errno) }
            if n == 0 { break }
            done += n
        }
        return Outcome(read: done, error: 0)
    }

    /// Reads `count` bytes at `offset` of `descriptor` into a new array: the bytes read (fewer
    /// than asked when the file ended first or a call failed) and the `errno` of the failed call
    /// (0 when none failed).
    public static func bytes(_ descriptor: Int32, count: Int, at offset: Int) -> (bytes: [UInt8], error: Int32) {
        guard count > 0 else { return ([], 0) }
        var error: Int32 = 0
        let bytes = [UInt8](unsafeUninitializedCapacity: count) { buffer, initialized in
            let outcome = read(descriptor, into: buffer.baseAddress!, count: count, at: offset)
            error = outcome.error
            initialized = outcome.read
        }
        return (bytes, error)
    }
}
