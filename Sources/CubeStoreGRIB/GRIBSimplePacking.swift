import Foundation
/// CubeGen's own decoding of GRIB 2 simple packing (data representation template 5.0), with or
/// without a bitmap (section 6): what ecCodes' `values` key gives, bit for bit, without its lock.
///
/// ecCodes handles are decoded under one process-wide lock (`GRIBCalls`), so on a 2-core machine
/// the 38 MiB messages of an H1024 field decode one after the other. A simple-packed field is
/// `value = (R + X·2^E)·10^-D` over `bitsPerValue`-bit big-endian integers `X`, which this type
/// computes in any thread, in the same double-precision operations ecCodes 2.28 uses
/// (`grib_power` by repeated multiplication or division, `((X·2^E) + R)·10^-D`, a constant `R`
/// when the width is 0). Everything else (CCSDS, JPEG, complex packing, GRIB 1, a bitmap defined
/// by an earlier message, several fields in one message, widths over 32 bits) is left to ecCodes:
/// `decode` returns `nil`.
enum GRIBSimplePacking {
    /// Where the parts of a simple-packed GRIB 2 message are (byte offsets in the message) and its
    /// packing parameters.
    struct Layout: Equatable {
        /// Grid points (section 3), the length of the decoded field.
        var points: Int
        /// Packed values (section 5): `points` without a bitmap, the bitmap's set bits with one.
        var values: Int
        /// The reference value `R` (an IEEE single, widened).
        var reference: Double
        /// The binary scale factor `E`.
        var binaryScale: Int
        /// The decimal scale factor `D`.
        var decimalScale: Int
        /// Bits per packed value (0: a constant field `R`).
        var bits: Int
        /// The first byte of the bitmap, `nil` without one.
        var bitmap: Int?
        /// The packed data: its first byte and its byte count.
        var data: Int
        /// The packed data's length in bytes.
        var dataLength: Int
    }

    /// The simple-packing layout of `bytes` (one whole GRIB 2 message), or `nil` when the message
    /// is not one this type decodes (see the type's description) or its sections do not hold what
    /// they announce (ecCodes then decodes, or reports, it).
    static func layout(_ bytes: UnsafeRawBufferPointer) -> Layout? {
        guard bytes.count >= 16 + 4, bytes[7] == 2 else { return nil }
        func integer(_ at: Int, _ count: Int) -> Int {
            var v = 0
            for k in 0..<count { v = v << 8 | Int(bytes[at + k]) }
            return v
        }
        /// GRIB's sign-and-magnitude 16-bit integers.
        func signed16(_ at: Int) -> Int {
            let raw = integer(at, 2)
            return raw & 0x8000 != 0 ? -(raw & 0x7FFF) : raw
        }
        var points: Int?, section5: Int?, section6: Int?, section7: Int?, dataLength = 0, fields = 0
        var position = 16
        let end = bytes.count - 4
        while position + 5 <= end {
            let length = integer(position, 4), number = Int(bytes[position + 4])
            guard length >= 5, length <= end - position else { return nil }
            switch number {
            case 3:
                guard length >= 14 else { return nil }
                points = integer(position + 6, 4)
            case 4: fields += 1
            case 5: section5 = length >= 21 ? position : nil
            case 6: section6 = length >= 6 ? position : nil
            case 7:
                section7 = position
                dataLength = length - 5
            default: break
            }
            position += length
        }
        guard fields == 1, let points, let s5 = section5, let s6 = section6, let s7 = section7,
              integer(s5 + 9, 2) == 0 else { return nil }
        let values = integer(s5 + 5, 4), bits = Int(bytes[s5 + 19])
        let indicator = bytes[s6 + 5]
        guard bits <= 32, points <= GRIBCalls.maximumValues, values <= points, indicator == 0 || indicator == 255 else { return nil }
        var bitmap: Int?
        if indicator == 0 {
            guard integer(s6, 4) - 6 >= (points + 7) / 8 else { return nil }
            bitmap = s6 + 6
        } else {
            guard values == points else { return nil }
        }
        guard dataLength >= (values * bits + 7) / 8 else { return nil }
        let reference = Double(Float(bitPattern: UInt32(integer(s5 + 11, 4))))
        return Layout(points: points, values: values, reference: reference, binaryScale: signed16(s5 + 15),
                      decimalScale: signed16(s5 + 17), bits: bits, bitmap: bitmap, data: s7 + 5, dataLength: dataLength)
    }

    /// ecCodes' `grib_power(s, n)`: `n^s` by repeated multiplication (or division for negative
    /// `s`), so `10^-D` rounds as it does there.
    static func power(_ s: Int, _ n: Double) -> Double {
        if s == 0 { return 1 }
        if s == 1 { return n }
        var result = 1.0, s = s
        while s < 0 {
            result /= n
            s += 1
        }
        while s > 0 {
            result *= n
            s -= 1
        }
        return result
    }

    /// The decoded field of `bytes` (one whole GRIB 2 message) in its scanning order as single
    /// precision, NaN where the bitmap marks a point missing; `nil` when ecCodes must decode it.
    static func decode(_ bytes: UnsafeRawBufferPointer) -> [Float]? {
        guard let layout = layout(bytes) else { return nil }
        return decode(bytes, layout)
    }

    /// Decodes `bytes` laid out as `layout`; `nil` when the bitmap's set bits are not the packed
    /// value count.
    static func decode(_ bytes: UnsafeRawBufferPointer, _ layout: Layout) -> [Float]? {
        let n = layout.values
        var packed = [Float](unsafeUninitializedCapacity: n) { buffer, count in
            // A large field unpacks in stripes on every core: the tasks of one time step wait
            // for the same field (an H1024 message is 12.6 million values).
            let stripes = n >= 2 * stripeValues ? min(ProcessInfo.processInfo.activeProcessorCount, n / stripeValues) : 1
            if stripes > 1 {
                // The stripes write disjoint parts of the buffer and only read the message.
                nonisolated(unsafe) let base = buffer.baseAddress!, message = bytes
                DispatchQueue.concurrentPerform(iterations: stripes) { s in
                    let range = (n * s / stripes)..<(n * (s + 1) / stripes)
                    unpack(message, layout, values: range, into: UnsafeMutableBufferPointer(start: base + range.lowerBound, count: range.count))
                }
            } else {
                unpack(bytes, layout, into: buffer)
            }
            count = n
        }
        guard let bitmap = layout.bitmap else { return packed }
        // Spread the packed values over the points whose bit is set.
        guard setBits(bytes, bitmap, points: layout.points) == n else { return nil }
        let field = [Float](unsafeUninitializedCapacity: layout.points) { out, count in
            var next = 0
            packed.withUnsafeMutableBufferPointer { values in
                for p in 0..<layout.points {
                    if bytes[bitmap + p >> 3] & (0x80 >> UInt8(p & 7)) != 0 {
                        out[p] = values[next]
                        next += 1
                    } else {
                        out[p] = .nan
                    }
                }
            }
            count = layout.points
        }
        packed = []
        return field
    }

    /// The values at the cells of `runs` (ascending, disjoint ranges of grid points in scanning
    /// order) of `bytes` laid out as `layout`, in run order, NaN where the bitmap marks a point
    /// missing: only those values are unpacked. `nil` when the bitmap's set bits are not the
    /// packed value count.
    static func decode(_ bytes: UnsafeRawBufferPointer, _ layout: Layout, runs: [Range<Int>]) -> [Float]? {
        let total = runs.reduce(0) { $0 + $1.count }
        precondition((runs.last?.upperBound ?? 0) <= layout.points, "cell runs past the field's \(layout.points) points")
        guard let bitmap = layout.bitmap else {
            return [Float](unsafeUninitializedCapacity: total) { out, count in
                var next = 0
                for run in runs {
                    unpack(bytes, layout, values: run, into: UnsafeMutableBufferPointer(rebasing: out[next..<(next + run.count)]))
                    next += run.count
                }
                count = total
            }
        }
        // With a bitmap, point p holds packed value `set bits before p`: counted forward over the
        // bitmap as the runs ascend.
        @inline(__always) func isSet(_ p: Int) -> Bool { bytes[bitmap + p >> 3] & (0x80 >> UInt8(p & 7)) != 0 }
        guard setBits(bytes, bitmap, points: layout.points) == layout.values else { return nil }
        return [Float](unsafeUninitializedCapacity: total) { out, count in
            var point = 0, packed = 0, next = 0
            for run in runs {
                // Set bits between the last point counted and the run's start.
                while point < run.lowerBound && point & 7 != 0 {
                    if isSet(point) { packed += 1 }
                    point += 1
                }
                while point + 8 <= run.lowerBound {
                    packed += bytes[bitmap + point >> 3].nonzeroBitCount
                    point += 8
                }
                while point < run.lowerBound {
                    if isSet(point) { packed += 1 }
                    point += 1
                }
                // Stretches of set points are consecutive packed values, unpacked at once.
                var p = run.lowerBound
                while p < run.upperBound {
                    var q = p
                    while q < run.upperBound && isSet(q) { q += 1 }
                    if q > p {
                        unpack(bytes, layout, values: packed..<(packed + q - p),
                               into: UnsafeMutableBufferPointer(rebasing: out[next..<(next + q - p)]))
                        packed += q - p
                        next += q - p
                    }
                    while q < run.upperBound && !isSet(q) {
                        out[next] = .nan
                        next += 1
                        q += 1
                    }
                    p = q
                }
                point = run.upperBound
            }
            count = total
        }
    }

    /// The set bits among the first `points` bits of the bitmap at byte `bitmap` of `bytes`.
    private static func setBits(_ bytes: UnsafeRawBufferPointer, _ bitmap: Int, points: Int) -> Int {
        var set = 0
        for k in 0..<((points + 7) / 8) { set += bytes[bitmap + k].nonzeroBitCount }
        let spare = (8 - points % 8) % 8
        if spare > 0 { set -= (bytes[bitmap + (points - 1) / 8] & UInt8((1 << spare) - 1)).nonzeroBitCount }
        return set
    }

    /// The fewest values a stripe of a parallel unpack holds.
    static let stripeValues = 1 << 20

    /// Unpacks `layout.values` values into `out`.
    private static func unpack(_ bytes: UnsafeRawBufferPointer, _ layout: Layout, into out: UnsafeMutableBufferPointer<Float>) {
        unpack(bytes, layout, values: 0..<layout.values, into: out)
    }

    /// Unpacks packed values `values` into `out` (`out[0]` is value `values.lowerBound`).
    private static func unpack(_ bytes: UnsafeRawBufferPointer, _ layout: Layout, values: Range<Int>,
                               into out: UnsafeMutableBufferPointer<Float>) {
        let first = values.lowerBound, n = values.upperBound, bits = layout.bits, reference = layout.reference
        if bits == 0 {
            out.initialize(repeating: Float(reference))
            return
        }
        let s = power(layout.binaryScale, 2), d = power(-layout.decimalScale, 10)
        let data = UnsafeRawBufferPointer(rebasing: bytes[layout.data..<(layout.data + layout.dataLength)])
        /// ecCodes' arithmetic for one packed integer (below 2^32, so the signed conversion, one
        /// instruction, is exact; the unsigned 64-bit one is a branchy sequence on x86-64).
        @inline(__always) func value(_ x: UInt64) -> Float { Float((Double(Int64(bitPattern: x)) * s + reference) * d) }
        // Byte-aligned widths (8, 16, 24 and 32 bits: the usual GRIB packings) read one
        // big-endian word per value; the last values, whose 4-byte window would pass the data's
        // end, take the general path below.
        var done = first
        if bits % 8 == 0, data.count >= 4 {
            let width = bits / 8, drop = UInt32(32 - bits)
            let base = data.baseAddress!
            let end = min(n, (data.count - 4) / width + 1)
            if done < end {
                for i in done..<end {
                    let word = base.loadUnaligned(fromByteOffset: i &* width, as: UInt32.self).bigEndian
                    out[i &- first] = value(UInt64(word >> drop))
                }
                done = end
            }
        }
        let drop = UInt64(64 - bits)
        // Values whose 8-byte window lies inside the data are read with one load each.
        let fast = data.count >= 8 ? min(n, ((data.count - 8) * 8) / bits + 1) : 0
        if done < fast {
            for i in done..<fast {
                let bit = i &* bits
                let word = data.loadUnaligned(fromByteOffset: bit >> 3, as: UInt64.self).bigEndian
                out[i &- first] = value((word << UInt64(bit & 7)) >> drop)
            }
            done = fast
        }
        if done < n {
            for i in done..<n {
                var x: UInt64 = 0
                for b in (i * bits)..<((i + 1) * bits) {
                    x = x << 1 | UInt64(data[b >> 3] >> UInt8(7 - b & 7) & 1)
                }
                out[i - first] = value(x)
            }
        }
    }
}
