import Zarr

/// Copies the part of a decoded chunk that falls in a read region into the region's output: a
/// 2-D window (rows along the y axis, columns along the x axis) of a region whose other
/// dimensions are one element long.
///
/// Layout: a chunk is C order, element `(i₀, …, iₙ)` at `Σ iₖ · strideₖ` with `strideₙ = 1`; the
/// output holds row `y` column `x` at `(y − rows.lowerBound) · columns.count + (x − columns.lowerBound)`,
/// so an x axis before the y axis is transposed by the copy. A cell grid's one dimension is both
/// axes (`yAxis == xAxis`): the output is one row.
struct RegionBlock: Sendable {
    var region: [Range<Int>]
    var chunks: [Int]
    var yAxis: Int
    var xAxis: Int

    /// Copies chunk `index` (`nil` bytes: not stored, every element `fill`) into `out`, converting to `Float`.
    func copy(chunk index: [Int], bytes: [UInt8]?, dataType: ZarrDataType, fill: Float, into out: UnsafeMutableBufferPointer<Float>) {
        let origin = zip(index, chunks).map { $0 * $1 }
        var strides = [Int](repeating: 1, count: chunks.count)
        for d in stride(from: chunks.count - 2, through: 0, by: -1) { strides[d] = strides[d + 1] * chunks[d + 1] }
        var base = 0
        for d in chunks.indices where d != yAxis && d != xAxis { base += (region[d].lowerBound - origin[d]) * strides[d] }
        let oneRow = yAxis == xAxis
        let rows = oneRow ? 0..<1 : max(region[yAxis].lowerBound, origin[yAxis])..<min(region[yAxis].upperBound, origin[yAxis] + chunks[yAxis])
        let columns = max(region[xAxis].lowerBound, origin[xAxis])..<min(region[xAxis].upperBound, origin[xAxis] + chunks[xAxis])
        let width = region[xAxis].count
        let (top, left) = (oneRow ? 0 : region[yAxis].lowerBound, region[xAxis].lowerBound)
        guard let bytes else {
            for y in rows { for x in columns { out[(y - top) * width + (x - left)] = fill } }
            return
        }
        let (yStride, xStride) = (oneRow ? 0 : strides[yAxis], strides[xAxis])
        let yOrigin = oneRow ? 0 : origin[yAxis]
        bytes.withUnsafeBytes { raw in
            func run<T>(_: T.Type, _ convert: (T) -> Float) {
                let size = MemoryLayout<T>.size
                for y in rows {
                    let rowOffset = base + (y - yOrigin) * yStride
                    let outRow = (y - top) * width - left
                    for x in columns {
                        let element = rowOffset + (x - origin[xAxis]) * xStride
                        out[outRow + x] = convert(raw.loadUnaligned(fromByteOffset: element * size, as: T.self))
                    }
                }
            }
            switch dataType {
            case .int8: run(Int8.self) { Float($0) }
            case .uint8: run(UInt8.self) { Float($0) }
            case .int16: run(Int16.self) { Float(Int16(littleEndian: $0)) }
            case .uint16: run(UInt16.self) { Float(UInt16(littleEndian: $0)) }
            case .int32: run(Int32.self) { Float(Int32(littleEndian: $0)) }
            case .uint32: run(UInt32.self) { Float(UInt32(littleEndian: $0)) }
            case .int64: run(Int64.self) { Float(Int64(littleEndian: $0)) }
            case .uint64: run(UInt64.self) { Float(UInt64(littleEndian: $0)) }
            case .float32: run(UInt32.self) { Float(bitPattern: UInt32(littleEndian: $0)) }
            case .float64: run(UInt64.self) { Float(Double(bitPattern: UInt64(littleEndian: $0))) }
            }
        }
    }
}
