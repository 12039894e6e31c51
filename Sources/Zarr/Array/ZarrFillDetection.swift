extension ZarrDataType {
    /// Whether every element of `bytes` (little-endian) reads as `fill`, so the chunk need not be
    /// stored. Floats count NaN as fill (whatever its payload) as well as values equal to a
    /// numeric fill; integers compare with the fill value. Nothing is fill for `.none`.
    public func isAllFill(_ bytes: [UInt8], fill: ZarrFillValue) -> Bool {
        bytes.withUnsafeBytes { isAllFill(raw: $0, fill: fill) }
    }

    /// `isAllFill(_:fill:)` of the bytes `raw` points at.
    public func isAllFill(raw: UnsafeRawBufferPointer, fill: ZarrFillValue) -> Bool {
        if fill == .none { return false }
        let target = fill.doubleValue
        let count = raw.count / size
        switch self {
        case .float32:
            return Self.float32IsAllFill(raw, count: count, fill: Float(target))
        case .float64:
            for k in 0..<count {
                let v = Double(bitPattern: UInt64(littleEndian: raw.loadUnaligned(fromByteOffset: 8 * k, as: UInt64.self)))
                if !(v.isNaN || v == target) { return false }
            }
            return true
        default:
            guard let range = integerRange, range.contains(target) else { return false }
            let values = doubles(Array(raw))
            return values.allSatisfy { $0 == target }
        }
    }
}

extension ZarrDataType {
    /// `isAllFill` for `count` little-endian `float32` values: NaN (any pattern with an all-ones
    /// exponent and a non-zero fraction) is fill, and so is `fill` itself (±0 equal each other).
    /// Blocks of 64 values without a branch inside (the loop vectorises; 12.7 GB/s here), an
    /// exit between blocks. A function of its own so the loop is compiled alone: inlined into
    /// the `switch`, it stayed scalar (4 % of T1 M's CPU).
    @inline(never)
    static func float32IsAllFill(_ raw: UnsafeRawBufferPointer, count: Int, fill f: Float) -> Bool {
        let zeroFill = f == 0
        let mask: UInt32 = zeroFill ? 0x7FFF_FFFF : 0xFFFF_FFFF
        let target: UInt32 = zeroFill ? 0 : (f.isNaN ? UInt32.max : f.bitPattern)
        var k = 0
        while k &+ 64 <= count {
            var other: UInt32 = 0
            for n in k..<(k &+ 64) {
                let bits = UInt32(littleEndian: raw.loadUnaligned(fromByteOffset: 4 &* n, as: UInt32.self))
                let notNaN: UInt32 = (bits & 0x7FFF_FFFF) <= 0x7F80_0000 ? 1 : 0
                let notFill: UInt32 = (bits & mask) != target ? 1 : 0
                other |= notNaN & notFill
            }
            if other != 0 { return false }
            k &+= 64
        }
        while k < count {
            let bits = UInt32(littleEndian: raw.loadUnaligned(fromByteOffset: 4 &* k, as: UInt32.self))
            if (bits & 0x7FFF_FFFF) <= 0x7F80_0000 && (bits & mask) != target { return false }
            k &+= 1
        }
        return true
    }
}

extension ZarrDataType {
    /// One element of value `fill`, little-endian (zeros for `.none`).
    public func bytes(of fill: ZarrFillValue) -> [UInt8] {
        let v = fill.doubleValue
        if fill == .none || (!isFloatingPoint && !v.isFinite) { return [UInt8](repeating: 0, count: size) }
        func raw<T>(_ x: T) -> [UInt8] { withUnsafeBytes(of: x) { Array($0) } }
        switch self {
        case .float32: return raw(Float(v).bitPattern.littleEndian)
        case .float64: return raw(v.bitPattern.littleEndian)
        case .int8: return raw(Int8(v))
        case .uint8: return raw(UInt8(v))
        case .int16: return raw(Int16(v).littleEndian)
        case .uint16: return raw(UInt16(v).littleEndian)
        case .int32: return raw(Int32(v).littleEndian)
        case .uint32: return raw(UInt32(v).littleEndian)
        case .int64: return raw(Int64(v).littleEndian)
        case .uint64: return raw(UInt64(v).littleEndian)
        }
    }
}
