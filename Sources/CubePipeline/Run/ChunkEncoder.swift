import CubeCore
import Zarr

/// Turns what a task computed for one variable (a chunk, or a whole shard) into stored bytes:
/// packing to the output data type, then the array's Zarr writer (codecs, shard layout, and
/// leaving out chunks of fill only).
struct ChunkEncoder: Sendable {
    let dataType: DataType
    let scaleFactor: Double?
    let addOffset: Double?
    let fillValue: Double
    let writer: ZarrChunkWriter

    /// Packs and encodes `values` (NaN = missing; `writer.unitShape` of them) for task index
    /// `unit`. Returns what to store and how many values fell outside the data type's range and
    /// were stored as fill.
    func encode(_ values: [Float], at unit: [Int]) throws -> (unit: ZarrEncodedUnit, clipped: Int) {
        if storesValuesAsTheyAre {
            // The floats' own bytes are what is stored: compressed where they lie, no copy.
            return (try values.withUnsafeBytes { try writer.encode(at: unit, raw: $0) }, 0)
        }
        let (raw, clipped) = pack(values)
        return (try writer.encode(at: unit, bytes: raw), clipped)
    }

    /// Unscaled `float32`: the values' bytes (little-endian) are the stored bytes.
    var storesValuesAsTheyAre: Bool {
        dataType == .float32 && (scaleFactor ?? 1) == 1 && (addOffset ?? 0) == 0 && UInt32(1).littleEndian == 1
    }

    func pack(_ values: [Float]) -> ([UInt8], Int) {
        let scale = scaleFactor ?? 1, offset = addOffset ?? 0
        let scales = scale != 1 || offset != 0
        switch dataType {
        case .float32:
            if !scales { return (values.withUnsafeBytes { Array($0) }, 0) }
            return (values.map { Float((Double($0) - offset) / scale) }.withUnsafeBytes { Array($0) }, 0)
        case .float64:
            return (values.map { (Double($0) - offset) / scale }.withUnsafeBytes { Array($0) }, 0)
        case .int8: return packInteger(values, Int8.self, scale, offset)
        case .int16: return packInteger(values, Int16.self, scale, offset)
        case .int32: return packInteger(values, Int32.self, scale, offset)
        case .int64: return packInteger(values, Int64.self, scale, offset)
        case .uint8: return packInteger(values, UInt8.self, scale, offset)
        case .uint16: return packInteger(values, UInt16.self, scale, offset)
        case .uint32: return packInteger(values, UInt32.self, scale, offset)
        case .uint64: return packInteger(values, UInt64.self, scale, offset)
        }
    }

    /// The values a reader gets back after `pack`: the stored values unpacked (packing's rounding,
    /// range clipping and fill applied). Quick-looks show these, whether the chunk was computed in
    /// this process or read back from the cube, so both give the same picture.
    /// Unscaled `float32` is stored as is, so its values come back unchanged (no copy is made).
    func roundTrip(_ values: [Float]) -> [Float] {
        if storesValuesAsTheyAre { return values }
        return unpack(pack(values).0)
    }

    /// Stored bytes (this encoder's data type, little-endian) back to values: fill → NaN, then
    /// `value = stored × scale_factor + add_offset`.
    func unpack(_ raw: [UInt8]) -> [Float] {
        let scale = scaleFactor ?? 1, offset = addOffset ?? 0
        let scales = scale != 1 || offset != 0
        func floats<T>(_: T.Type, _ convert: (T) -> Double) -> [Float] {
            raw.withUnsafeBytes { buffer in
                (0..<(buffer.count / MemoryLayout<T>.size)).map { index -> Float in
                    let stored = convert(buffer.loadUnaligned(fromByteOffset: index * MemoryLayout<T>.size, as: T.self))
                    if stored.isNaN || (!dataType.isFloatingPoint && stored == fillValue) { return .nan }
                    return scales ? Float(stored * scale + offset) : Float(stored)
                }
            }
        }
        switch dataType {
        case .float32: return floats(Float.self) { Double($0) }
        case .float64: return floats(Double.self) { $0 }
        case .int8: return floats(Int8.self) { Double($0) }
        case .int16: return floats(Int16.self) { Double($0) }
        case .int32: return floats(Int32.self) { Double($0) }
        case .int64: return floats(Int64.self) { Double($0) }
        case .uint8: return floats(UInt8.self) { Double($0) }
        case .uint16: return floats(UInt16.self) { Double($0) }
        case .uint32: return floats(UInt32.self) { Double($0) }
        case .uint64: return floats(UInt64.self) { Double($0) }
        }
    }

    private func packInteger<I: FixedWidthInteger>(_ values: [Float], _: I.Type, _ scale: Double, _ offset: Double) -> ([UInt8], Int) {
        let fill = I(fillValue)
        let lo = Double(I.min), hi = Double(I.max)
        var clipped = 0
        let packed = values.map { v -> I in
            guard !v.isNaN else { return fill }
            let q = ((Double(v) - offset) / scale).rounded(.toNearestOrEven)
            guard q >= lo, q <= hi, q != Double(fill) else {
                clipped += 1
                return fill
            }
            return I(q)
        }
        return (packed.withUnsafeBytes { Array($0) }, clipped)
    }
}
