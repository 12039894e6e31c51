import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// Marks where a run's phases begin, on standard error, when the environment variable
/// `CUBEGEN_PHASES` is set (any value): one line `[phase MS MONOTONIC] NAME` per mark, `MS` the
/// milliseconds since the first mark and `MONOTONIC` the `CLOCK_MONOTONIC` seconds, the clock
/// `perf record -k CLOCK_MONOTONIC` stamps its samples with. `bench/phases.py` lines the two up
/// to show each phase's idle cores. Off, a mark costs one check of a constant.
public enum PhaseMarks {
    /// Whether marks are printed (`CUBEGEN_PHASES` set).
    public static let enabled = ProcessInfo.processInfo.environment["CUBEGEN_PHASES"] != nil
    private static let origin = now()

    /// Prints the mark `name` when `enabled`.
    public static func mark(_ name: @autoclosure () -> String) {
        guard enabled else { return }
        let origin = PhaseMarks.origin, at = now()
        FileHandle.standardError.write(Data(String(format: "[phase %.1f %.6f] %@\n", (at - origin) * 1000, at, name()).utf8))
    }

    private static func now() -> Double {
        var clock = timespec()
        clock_gettime(CLOCK_MONOTONIC, &clock)
        return Double(clock.tv_sec) + Double(clock.tv_nsec) / 1e9
    }
}
