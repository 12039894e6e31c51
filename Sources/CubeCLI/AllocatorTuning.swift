import Foundation

/// Tunes glibc's allocator for a run: chunk and plane buffers are megabytes each and allocated
/// per task; with glibc's defaults each one is a fresh `mmap` (page faults, zeroed pages, then
/// `munmap`). Keeping them on the heap saved about a tenth of T1 M's wall time (3.4–3.9 s →
/// 3.15–3.2 s, same machine, alternating runs). At most one heap arena per core (at least two): glibc's
/// default (eight per core) let memory freed by one thread sit in an arena other threads no
/// longer use, so peak RSS crept up with the length of a run (T1 M 214–225 MB instead of 225–242
/// MB, T1 L 231–242 MB instead of 244–276 MB; same wall time). The CLI's choice; embedders of the library
/// keep their own allocator settings.
enum AllocatorTuning {
    #if os(Linux)
    /// glibc's `int mallopt(int param, int value)` (malloc.h, which the Glibc module does not export).
    @_silgen_name("mallopt") private static func mallopt(_ parameter: Int32, _ value: Int32) -> Int32
    /// `M_TRIM_THRESHOLD`, `M_MMAP_THRESHOLD` and `M_ARENA_MAX` in glibc's malloc.h.
    private static let trimThreshold: Int32 = -1, mmapThreshold: Int32 = -3, arenaMax: Int32 = -8
    #endif

    static func apply() {
        #if os(Linux)
        _ = mallopt(mmapThreshold, 256 << 20)
        _ = mallopt(trimThreshold, 1 << 30)
        _ = mallopt(arenaMax, Int32(max(2, min(64, ProcessInfo.processInfo.activeProcessorCount))))
        #endif
    }
}
