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
