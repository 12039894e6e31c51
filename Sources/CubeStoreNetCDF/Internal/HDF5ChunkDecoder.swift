import CubeCore
import Foundation
import Zarr

/// Decodes stored HDF5 chunks (HDF5's deflate, shuffle and Fletcher-32 filters, reversed) and
/// copies the requested part of each into a float buffer. Pure Swift on the caller's thread: no
/// HDF5 call, no lock.
enum HDF5ChunkDecoder {
    /// Decodes `chunks` of a variable with `layout` and writes the elements inside
    /// `start ..< start + count` (C order over the variable's dimensions) into `output`, converted to
    /// `Float`. Chunks never written give `fill`. With `packing`, each row is also unpacked as
    /// `CFPacking.decode` does (missing → NaN, scale and offset) while it is in the cache.
    ///
    /// A chunk whose first filter is HDF5's shuffle of whole 2- or 4-byte elements is converted
    /// from its byte planes directly: the unshuffled chunk is never made.
    /// - Throws: `NetCDFError` naming the chunk when a chunk fails a check (Fletcher-32, the
    ///   deflate stream's Adler-32 and structure, its decoded size).
    static func decode(_ chunks: [HDF5Chunks.RawChunk], layout: HDF5Chunks.Layout, start: [Int], count: [Int], fill: Float,
                       packing: CFPacking? = nil, path: String, into output: UnsafeMutableBufferPointer<Float>) throws {
        let packing = packing.flatMap { $0.isIdentity ? nil : $0 }
        let rank = layout.chunk.count
        let chunkElements = layout.chunk.reduce(1, *)
        for chunk in chunks {
            // The intersection of the chunk and the request, per dimension.
            let lower = (0..<rank).map { max(start[$0], chunk.offset[$0]) }
            let upper = (0..<rank).map { min(start[$0] + count[$0], chunk.offset[$0] + layout.chunk[$0]) }
            guard (0..<rank).allSatisfy({ lower[$0] < upper[$0] }) else { continue }
            precondition(chunk.extent == nil, "HDF5 chunk at \(chunk.offset) located but not loaded")
            guard let stored = chunk.bytes else {
                forEachRow(lower: lower, upper: upper) { position, length in
                    let target = outputIndex(position, start: start, count: count)
                    for k in 0..<length { output[target + k] = fill }
                    packing?.decode(UnsafeMutableBufferPointer(rebasing: output[target..<(target + length)]))
                }
                continue
            }
            let bytes: [UInt8]
            let shuffled = layout.convertsShuffled(mask: chunk.filterMask)
            do {
                bytes = try unfilter(stored, mask: chunk.filterMask, layout: layout, expected: chunkElements * layout.elementSize,
                                     keepingShuffle: shuffled)
            } catch let failure as ChunkFailure {
                throw NetCDFError(status: -1, function: "decode", path: path,
                                  reason: "stored HDF5 chunk at \(chunk.offset) (\(stored.count) bytes): \(failure.reason)")
            }
            try bytes.withUnsafeBytes { raw in
                guard raw.count == chunkElements * layout.elementSize else {
                    throw NetCDFError(status: -1, function: "decode", path: path,
                                      reason: "stored HDF5 chunk at \(chunk.offset) holds \(raw.count) bytes, not \(chunkElements * layout.elementSize)")
                }
                forEachRow(lower: lower, upper: upper) { position, length in
                    var source = 0
                    for d in 0..<rank { source = source * layout.chunk[d] + (position[d] - chunk.offset[d]) }
                    let target = outputIndex(position, start: start, count: count)
                    if shuffled {
                        convertShuffled(raw, elements: chunkElements, from: source, count: length, layout: layout,
                                        into: output.baseAddress! + target)
                    } else {
                        convert(raw, from: source, count: length, layout: layout, into: output.baseAddress! + target)
                    }
                    packing?.decode(UnsafeMutableBufferPointer(rebasing: output[target..<(target + length)]))
                }
            }
        }
    }

    /// Why one stored chunk did not decode.
    struct ChunkFailure: Error {
        /// What failed, for example "Fletcher-32 checksum mismatch".
        var reason: String
    }

    /// Reverses the filter pipeline (last filter first), skipping filters the mask marks. Every
    /// check the pipeline carries is made: Fletcher-32, and deflate's Adler-32, structure and size.
    /// `keepingShuffle` leaves the first filter (a shuffle, `Layout.convertsShuffled`) undone.
    static func unfilter(_ stored: [UInt8], mask: UInt32, layout: HDF5Chunks.Layout, expected: Int,
                         keepingShuffle: Bool = false) throws -> [UInt8] {
        var bytes = stored
        for (index, filter) in layout.filters.enumerated().reversed() where mask & (1 << UInt32(index)) == 0 {
            if keepingShuffle && index == 0 { break }
            switch filter.id {
            case HDF5Chunks.deflate:
                // Later filters only reorder bytes, so the inflated size is the chunk's size
                // (plus Fletcher-32's 4 bytes when that filter ran before deflate).
                let earlierFletcher = layout.filters[..<index].enumerated().contains {
                    $0.element.id == HDF5Chunks.fletcher32 && mask & (1 << UInt32($0.offset)) == 0
                }
                do {
                    bytes = try ZlibCodec.inflate(bytes, decodedCount: expected + (earlierFletcher ? 4 : 0))
                } catch {
                    throw ChunkFailure(reason: "\(error)")
                }
            case HDF5Chunks.shuffle:
                bytes = unshuffle(bytes, elementSize: Int(filter.values.first ?? UInt32(layout.elementSize)))
            case HDF5Chunks.fletcher32:
                guard let data = Fletcher32.verified(bytes) else {
                    throw ChunkFailure(reason: "Fletcher-32 checksum mismatch")
                }
                bytes = data
            default:
                throw ChunkFailure(reason: "HDF5 filter \(filter.id) is not decoded here")
            }
        }
        return bytes
    }

    /// HDF5's shuffle reversed: byte `b` of element `i` is at `b · n + i` (n elements); a tail
    /// shorter than a whole element is left as it is.
    static func unshuffle(_ bytes: [UInt8], elementSize size: Int) -> [UInt8] {
        guard size > 1 else { return bytes }
        let n = bytes.count / size
        return [UInt8](unsafeUninitializedCapacity: bytes.count) { out, initialized in
            bytes.withUnsafeBufferPointer { src in
                let s = src.baseAddress!, dst = UnsafeMutableRawBufferPointer(out)
                // Elements assembled whole and written in order (4- and 2-byte types: one store each).
                switch size {
                case 4:
                    let p0 = s, p1 = s + n, p2 = s + 2 * n, p3 = s + 3 * n
                    for i in 0..<n {
                        let word = UInt32(p0[i]) | UInt32(p1[i]) << 8 | UInt32(p2[i]) << 16 | UInt32(p3[i]) << 24
                        dst.storeBytes(of: word.littleEndian, toByteOffset: 4 * i, as: UInt32.self)
                    }
                case 2:
                    let p0 = s, p1 = s + n
                    for i in 0..<n {
                        dst.storeBytes(of: (UInt16(p0[i]) | UInt16(p1[i]) << 8).littleEndian, toByteOffset: 2 * i, as: UInt16.self)
                    }
                default:
                    for i in 0..<n {
                        for b in 0..<size { out[i * size + b] = s[b * n + i] }
                    }
                }
                // A tail shorter than a whole element is not shuffled.
                for k in (n * size)..<bytes.count { out[k] = s[k] }
            }
            initialized = bytes.count
        }
    }

    /// Calls `body` with the first position and the length of every run of consecutive elements
    /// (along the last dimension) of the box `lower ..< upper`.
    private static func forEachRow(lower: [Int], upper: [Int], _ body: ([Int], Int) -> Void) {
        let rank = lower.count
        var position = lower
        let length = upper[rank - 1] - lower[rank - 1]
        while true {
            body(position, length)
            var d = rank - 2
            while d >= 0 {
                position[d] += 1
                if position[d] < upper[d] { break }
                position[d] = lower[d]
                d -= 1
            }
            if d < 0 { return }
        }
    }

    @inline(__always) private static func outputIndex(_ position: [Int], start: [Int], count: [Int]) -> Int {
        var index = 0
        for d in 0..<position.count { index = index * count[d] + (position[d] - start[d]) }
        return index
    }

    /// Converts `count` elements starting at element `first` to Float from a chunk of `elements`
    /// still shuffled: byte `b` of element `i` is at `b · elements + i` (2- and 4-byte elements).
    private static func convertShuffled(_ raw: UnsafeRawBufferPointer, elements n: Int, from first: Int, count: Int,
                                        layout: HDF5Chunks.Layout, into target: UnsafeMutablePointer<Float>) {
        let s = raw.baseAddress!.assumingMemoryBound(to: UInt8.self) + first
        switch (layout.isFloat, layout.elementSize, layout.isSigned) {
        case (_, 2, let signed):
            let p0 = s, p1 = s + n
            if signed {
                for k in 0..<count { target[k] = Float(Int16(bitPattern: UInt16(p0[k]) | UInt16(p1[k]) << 8)) }
            } else {
                for k in 0..<count { target[k] = Float(UInt16(p0[k]) | UInt16(p1[k]) << 8) }
            }
        default:
            let p0 = s, p1 = s + n, p2 = s + 2 * n, p3 = s + 3 * n
            @inline(__always) func word(_ k: Int) -> UInt32 {
                UInt32(p0[k]) | UInt32(p1[k]) << 8 | UInt32(p2[k]) << 16 | UInt32(p3[k]) << 24
            }
            switch (layout.isFloat, layout.isSigned) {
            case (true, _): for k in 0..<count { target[k] = Float(bitPattern: word(k)) }
            case (false, true): for k in 0..<count { target[k] = Float(Int32(bitPattern: word(k))) }
            case (false, false): for k in 0..<count { target[k] = Float(word(k)) }
            }
        }
    }

    /// Converts `count` little-endian elements starting at element `first` to Float.
    private static func convert(_ raw: UnsafeRawBufferPointer, from first: Int, count: Int, layout: HDF5Chunks.Layout,
                                into target: UnsafeMutablePointer<Float>) {
        let base = raw.baseAddress! + first * layout.elementSize
        switch (layout.isFloat, layout.elementSize, layout.isSigned) {
        case (true, 4, _): for k in 0..<count { target[k] = Float(bitPattern: UInt32(littleEndian: base.loadUnaligned(fromByteOffset: 4 * k, as: UInt32.self))) }
        case (true, _, _): for k in 0..<count { target[k] = Float(Double(bitPattern: UInt64(littleEndian: base.loadUnaligned(fromByteOffset: 8 * k, as: UInt64.self)))) }
        case (false, 1, true): for k in 0..<count { target[k] = Float(base.load(fromByteOffset: k, as: Int8.self)) }
        case (false, 1, false): for k in 0..<count { target[k] = Float(base.load(fromByteOffset: k, as: UInt8.self)) }
        case (false, 2, true): for k in 0..<count { target[k] = Float(Int16(littleEndian: base.loadUnaligned(fromByteOffset: 2 * k, as: Int16.self))) }
        case (false, 2, false): for k in 0..<count { target[k] = Float(UInt16(littleEndian: base.loadUnaligned(fromByteOffset: 2 * k, as: UInt16.self))) }
        case (false, 4, true): for k in 0..<count { target[k] = Float(Int32(littleEndian: base.loadUnaligned(fromByteOffset: 4 * k, as: Int32.self))) }
        case (false, 4, false): for k in 0..<count { target[k] = Float(UInt32(littleEndian: base.loadUnaligned(fromByteOffset: 4 * k, as: UInt32.self))) }
        case (false, _, true): for k in 0..<count { target[k] = Float(Int64(littleEndian: base.loadUnaligned(fromByteOffset: 8 * k, as: Int64.self))) }
        case (false, _, false): for k in 0..<count { target[k] = Float(UInt64(littleEndian: base.loadUnaligned(fromByteOffset: 8 * k, as: UInt64.self))) }
        }
    }
}

extension HDF5Chunks.Layout {
    /// Whether `HDF5ChunkDecoder` converts a chunk with filter `mask` from its shuffled bytes:
    /// its first filter (the last undone) is an active shuffle of whole 2-byte integers or
    /// 4-byte elements.
    func convertsShuffled(mask: UInt32) -> Bool {
        guard let first = filters.first, first.id == HDF5Chunks.shuffle, mask & 1 == 0,
              (elementSize == 2 && !isFloat) || elementSize == 4 else { return false }
        return Int(first.values.first ?? UInt32(elementSize)) == elementSize
    }
}
