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
        let (raw, clipped) = pack(values)
        return (try writer.encode(at: unit, bytes: raw), clipped)
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
