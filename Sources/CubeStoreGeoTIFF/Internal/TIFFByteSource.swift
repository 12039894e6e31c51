internal import CGeoTIFF
import Foundation

/// The bytes of a TIFF that is not a local file, served to libtiff through its client callbacks
/// (`TIFFClientOpenExt`): an in-memory buffer, or a remote object read by byte range.
///
/// Ranged reads go through a page cache: `pageSize`-aligned pages, the missing ones of a request
/// fetched in one range, at most `pageLimit` kept (least recently used dropped). A COG's header
/// and tile index sit at its start, so opening it costs one or two requests and each tile one.
/// Used only on its `TIFFFile`'s queue (libtiff calls back synchronously).
final class TIFFByteSource: @unchecked Sendable {
    /// The object's size in bytes.
    let size: Int
    /// Bytes fetched and requests made so far (for reports and tests).
    private(set) var bytesFetched = 0
    /// See `bytesFetched`.
    private(set) var requests = 0
    /// Why the last fetch failed, if one did (libtiff only sees a short read).
    private(set) var failure: String?

    private let fetch: (Range<Int>) throws -> [UInt8]
    private let pageSize: Int
    private let pageLimit: Int
    private var pages: [Int: [UInt8]] = [:]
    private var recency: [Int: Int] = [:]
    private var clock = 0
    private var position = 0

    /// Serves `bytes` from memory.
    init(bytes: [UInt8]) {
        size = bytes.count
        pageSize = max(1, bytes.count)
        pageLimit = 1
        fetch = { range in Array(bytes[range]) }
    }

    /// Serves an object of `size` bytes whose ranges `fetch` returns (blocking).
    init(size: Int, pageSize: Int = 64 << 10, pageLimit: Int = 512, fetch: @escaping (Range<Int>) throws -> [UInt8]) {
        self.size = size
        self.pageSize = pageSize
        self.pageLimit = pageLimit
        self.fetch = fetch
    }

    /// Copies up to `count` bytes from the current position into `buffer`; returns the count copied.
    func read(into buffer: UnsafeMutableRawPointer, count: Int) -> Int {
        let end = min(size, position + max(0, count))
        guard position < end else { return 0 }
        let first = position / pageSize, last = (end - 1) / pageSize
        do {
            try load(pages: first...last)
        } catch {
            failure = "\(error)"
            return -1
        }
        var copied = 0
        for page in first...last {
            guard let bytes = pages[page] else { return -1 }
            clock += 1
            recency[page] = clock
            let pageStart = page * pageSize
            let from = max(position, pageStart) - pageStart, to = min(end, pageStart + bytes.count) - pageStart
            guard from < to else { break }
            bytes.withUnsafeBytes { raw in
                (buffer + copied).copyMemory(from: raw.baseAddress! + from, byteCount: to - from)
            }
            copied += to - from
        }
        position += copied
        return copied
    }

    private func load(pages wanted: ClosedRange<Int>) throws {
        let missing = wanted.filter { pages[$0] == nil }
        guard let low = missing.first, let high = missing.last else { return }
        let range = (low * pageSize)..<min(size, (high + 1) * pageSize)
        let bytes = try fetch(range)
        requests += 1
        bytesFetched += bytes.count
        for page in low...high {
            let start = page * pageSize - range.lowerBound
            guard start < bytes.count else { break }
            pages[page] = Array(bytes[start..<min(bytes.count, start + pageSize)])
            clock += 1
            recency[page] = clock
        }
        while pages.count > pageLimit, let oldest = recency.min(by: { $0.value < $1.value })?.key, !wanted.contains(oldest) {
            pages[oldest] = nil
            recency[oldest] = nil
        }
    }

    /// Moves the position (`whence`: 0 set, 1 current, 2 end); returns the new position.
    func seek(_ offset: Int, whence: Int32) -> Int {
        switch whence {
        case SEEK_CUR: position += offset
        case SEEK_END: position = size + offset
        default: position = offset
        }
        position = max(0, position)
        return position
    }

    // MARK: - libtiff callbacks

    private static func source(_ context: UnsafeMutableRawPointer?) -> TIFFByteSource? {
        context.map { Unmanaged<TIFFByteSource>.fromOpaque($0).takeUnretainedValue() }
    }

    /// `TIFFReadWriteProc`.
    static let readProc: TIFFReadWriteProc = { context, buffer, count in
        guard let source = source(context), let buffer else { return -1 }
        return tmsize_t(source.read(into: buffer, count: Int(count)))
    }

    /// `TIFFSeekProc`.
    static let seekProc: TIFFSeekProc = { context, offset, whence in
        guard let source = source(context) else { return toff_t(UInt64.max) }
        return toff_t(source.seek(Int(Int64(bitPattern: offset)), whence: whence))
    }

    /// `TIFFCloseProc`: the source lives as long as its `TIFFFile`.
    static let closeProc: TIFFCloseProc = { _ in 0 }

    /// `TIFFSizeProc`.
    static let sizeProc: TIFFSizeProc = { context in toff_t(source(context)?.size ?? 0) }
}
