public import CubeCore

/// Copies samples of one decoded block (native byte order, as libtiff returns them) into a
/// window of `Float`s.
///
/// Layout of a block: `blockWidth` pixels per row, `samplesPerPixel` samples per pixel
/// (pixel-interleaved) or 1 (band-interleaved); sample `s` of pixel (row `r`, column `c`) is
/// element `(r * blockWidth + c) * samplesPerPixel + s`.
public enum SampleConversion {
    /// Where one block's samples go.
    public struct Placement: Sendable {
        /// Pixels per block row.
        public var blockWidth: Int
        /// Samples per pixel in the block (1 for band-interleaved images).
        public var samplesPerPixel: Int
        /// Which of them to take.
        public var sample: Int
        /// Block-relative rows to copy.
        public var rows: Range<Int>
        /// Block-relative columns to copy.
        public var columns: Range<Int>
        /// Index in the output of the first copied value.
        public var outputOffset: Int
        /// Values per output row.
        public var outputWidth: Int

        /// Creates a placement.
        public init(blockWidth: Int, samplesPerPixel: Int, sample: Int, rows: Range<Int>, columns: Range<Int>,
                    outputOffset: Int, outputWidth: Int) {
            self.blockWidth = blockWidth
            self.samplesPerPixel = samplesPerPixel
            self.sample = sample
            self.rows = rows
            self.columns = columns
            self.outputOffset = outputOffset
            self.outputWidth = outputWidth
        }
    }

    /// Copies `placement`'s samples of type `type` from `block` into `output`.
    ///
    /// ## Safety
    /// `block` must hold every element the placement names and `output` every index it writes;
    /// both are checked with preconditions before the loop.
    public static func copy(_ block: UnsafeRawBufferPointer, type: DataType, _ placement: Placement,
                            into output: UnsafeMutableBufferPointer<Float>) {
        guard !placement.rows.isEmpty, !placement.columns.isEmpty else { return }
        let lastElement = ((placement.rows.upperBound - 1) * placement.blockWidth + placement.columns.upperBound - 1)
            * placement.samplesPerPixel + placement.sample
        precondition((lastElement + 1) * type.size <= block.count, "block too small for the placement")
        precondition(placement.outputOffset + (placement.rows.count - 1) * placement.outputWidth + placement.columns.count <= output.count,
                     "output too small for the placement")
        switch type {
        case .uint8: run(block, UInt8.self, placement, output)
        case .int8: run(block, Int8.self, placement, output)
        case .uint16: run(block, UInt16.self, placement, output)
        case .int16: run(block, Int16.self, placement, output)
        case .uint32: run(block, UInt32.self, placement, output)
        case .int32: run(block, Int32.self, placement, output)
        case .uint64: run(block, UInt64.self, placement, output)
        case .int64: run(block, Int64.self, placement, output)
        case .float32: run(block, Float.self, placement, output)
        case .float64: run(block, Double.self, placement, output)
        }
    }

    private static func run<T: FloatConvertibleSample>(_ block: UnsafeRawBufferPointer, _: T.Type, _ p: Placement,
                                                        _ output: UnsafeMutableBufferPointer<Float>) {
        let stride = MemoryLayout<T>.size
        for (k, row) in p.rows.enumerated() {
            let target = p.outputOffset + k * p.outputWidth
            var element = (row * p.blockWidth + p.columns.lowerBound) * p.samplesPerPixel + p.sample
            for c in 0..<p.columns.count {
                output[target + c] = block.loadUnaligned(fromByteOffset: element * stride, as: T.self).floatValue
                element += p.samplesPerPixel
            }
        }
    }
}

/// A sample type converted to `Float`.
private protocol FloatConvertibleSample { var floatValue: Float { get } }
extension UInt8: FloatConvertibleSample { var floatValue: Float { Float(self) } }
extension Int8: FloatConvertibleSample { var floatValue: Float { Float(self) } }
extension UInt16: FloatConvertibleSample { var floatValue: Float { Float(self) } }
extension Int16: FloatConvertibleSample { var floatValue: Float { Float(self) } }
extension UInt32: FloatConvertibleSample { var floatValue: Float { Float(self) } }
extension Int32: FloatConvertibleSample { var floatValue: Float { Float(self) } }
extension UInt64: FloatConvertibleSample { var floatValue: Float { Float(self) } }
extension Int64: FloatConvertibleSample { var floatValue: Float { Float(self) } }
extension Float: FloatConvertibleSample { var floatValue: Float { self } }
extension Double: FloatConvertibleSample { var floatValue: Float { Float(self) } }
