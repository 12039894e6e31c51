/// Tunes glibc's allocator for a run: chunk and plane buffers are megabytes each and allocated
/// per task; with glibc's defaults each one is a fresh `mmap` (page faults, zeroed pages, then
/// `munmap`). Keeping them on the heap saved about a tenth of T1 M's wall time (3.4–3.9 s →
/// 3.15–3.2 s, same machine, alternating runs). The CLI's choice; embedders of the library keep
/// their own allocator settings.
enum AllocatorTuning {
    #if os(Linux)
    /// glibc's `int mallopt(int param, int value)` (malloc.h, which the Glibc module does not export).
    @_silgen_name("mallopt") private static func mallopt(_ parameter: Int32, _ value: Int32) -> Int32
    /// `M_TRIM_THRESHOLD` and `M_MMAP_THRESHOLD` in glibc's malloc.h.
    private static let trimThreshold: Int32 = -1, mmapThreshold: Int32 = -3
    #endif

    static func apply() {
        #if os(Linux)
        _ = mallopt(mmapThreshold, 256 << 20)
        _ = mallopt(trimThreshold, 1 << 30)
        #endif
    }
}
