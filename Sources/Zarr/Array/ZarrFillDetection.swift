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
        do {
            let count = raw.count / size
            switch self {
            case .float32:
                let f = Float(target)
                // 64 values at a time as four SIMD16 words (an exit between blocks only): NaN is
                // any pattern with an all-ones exponent and a non-zero fraction; ±0 equal each
                // other as floats. Little-endian hosts (the stored order).
                let fillBits = f.isNaN ? UInt32.max : f.bitPattern
                let zeroFill = f == 0
                @inline(__always) func fill(_ bits: SIMD16<UInt32>) -> SIMDMask<SIMD16<Int32>> {
                    let magnitude = bits & 0x7FFF_FFFF
                    let isNaN = magnitude .> 0x7F80_0000
                    return zeroFill ? isNaN .| (magnitude .== 0) : isNaN .| (bits .== fillBits)
                }
                var k = 0
                while k &+ 64 <= count {
                    let at = 4 &* k
                    let a = fill(raw.loadUnaligned(fromByteOffset: at, as: SIMD16<UInt32>.self))
                    let b = fill(raw.loadUnaligned(fromByteOffset: at &+ 64, as: SIMD16<UInt32>.self))
                    let c = fill(raw.loadUnaligned(fromByteOffset: at &+ 128, as: SIMD16<UInt32>.self))
                    let d = fill(raw.loadUnaligned(fromByteOffset: at &+ 192, as: SIMD16<UInt32>.self))
                    if !all(a .& b .& c .& d) { return false }
                    k &+= 64
                }
                while k < count {
                    let bits = UInt32(littleEndian: raw.loadUnaligned(fromByteOffset: 4 &* k, as: UInt32.self))
                    let magnitude = bits & 0x7FFF_FFFF
                    if !(magnitude > 0x7F80_0000 || bits == fillBits || (zeroFill && magnitude == 0)) { return false }
                    k &+= 1
                }
                return true
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
