extension ZarrDataType {
    /// Decodes little-endian elements of this type to `Double` (64-bit integers beyond 2^53 round).
    /// - Parameter bytes: A whole number of elements.
    public func doubles(_ bytes: [UInt8]) -> [Double] {
        let count = bytes.count / size
        return bytes.withUnsafeBytes { raw -> [Double] in
            (0..<count).map { k -> Double in
                let offset = k * size
                switch self {
                case .int8: return Double(raw.load(fromByteOffset: offset, as: Int8.self))
                case .uint8: return Double(raw[offset])
                case .int16: return Double(Int16(littleEndian: raw.loadUnaligned(fromByteOffset: offset, as: Int16.self)))
                case .uint16: return Double(UInt16(littleEndian: raw.loadUnaligned(fromByteOffset: offset, as: UInt16.self)))
                case .int32: return Double(Int32(littleEndian: raw.loadUnaligned(fromByteOffset: offset, as: Int32.self)))
                case .uint32: return Double(UInt32(littleEndian: raw.loadUnaligned(fromByteOffset: offset, as: UInt32.self)))
                case .int64: return Double(Int64(littleEndian: raw.loadUnaligned(fromByteOffset: offset, as: Int64.self)))
                case .uint64: return Double(UInt64(littleEndian: raw.loadUnaligned(fromByteOffset: offset, as: UInt64.self)))
                case .float32:
                    return Double(Float(bitPattern: UInt32(littleEndian: raw.loadUnaligned(fromByteOffset: offset, as: UInt32.self))))
                case .float64:
                    return Double(bitPattern: UInt64(littleEndian: raw.loadUnaligned(fromByteOffset: offset, as: UInt64.self)))
                }
            }
        }
    }
}

extension ZarrV2ArrayMetadata {
    /// Every chunk's grid index in C order (`[]` once for a scalar; none for an empty array).
    public var chunkIndices: [[Int]] {
        let counts = chunkCounts
        if counts.isEmpty { return [[]] }
        guard !counts.contains(0) else { return [] }
        var all: [[Int]] = []
        all.reserveCapacity(counts.reduce(1, *))
        var index = [Int](repeating: 0, count: counts.count)
        while true {
            all.append(index)
            var d = counts.count - 1
            while d >= 0 {
                index[d] += 1
                if index[d] < counts[d] { break }
                index[d] = 0
                d -= 1
            }
            if d < 0 { return all }
        }
    }
}

extension ZarrV2ArrayReader {
    /// Every element of the array in C order as `Double` (chunks not stored read as the fill
    /// value). Meant for coordinates and other small arrays.
    /// - Throws: `ZarrError` when a chunk cannot be decoded.
    public func allValues() async throws -> [Double] {
        let shape = metadata.shape, chunks = metadata.chunks
        let rank = shape.count
        var out = [Double](repeating: metadata.fillValue.doubleValue, count: shape.reduce(1, *))
        guard !out.isEmpty else { return out }
        var local = [Int](repeating: 0, count: rank)
        for index in metadata.chunkIndices {
            guard let bytes = try await chunk(index) else { continue }
            let values = metadata.dataType.doubles(bytes)
            // Copy the chunk's in-bounds elements.
            for k in 0..<values.count {
                var remainder = k
                for d in stride(from: rank - 1, through: 0, by: -1) {
                    local[d] = remainder % chunks[d]
                    remainder /= chunks[d]
                }
                var flat = 0, inside = true
                for d in 0..<rank {
                    let g = index[d] * chunks[d] + local[d]
                    if g >= shape[d] { inside = false; break }
                    flat = flat * shape[d] + g
                }
                if inside { out[flat] = values[k] }
            }
        }
        return out
    }
}
