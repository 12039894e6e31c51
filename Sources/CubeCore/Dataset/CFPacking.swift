/// How a stored variable decodes to physical values under CF (§8.1, §2.5.1): which stored values
/// are missing, and the linear unpacking.
public struct CFPacking: Hashable, Sendable {
    /// Stored values meaning "missing" (`_FillValue`, `missing_value`), in stored units.
    public var missingValues: [Double]
    /// The smallest valid stored value (`valid_min` or `valid_range[0]`), if given.
    public var validMin: Double?
    /// The largest valid stored value (`valid_max` or `valid_range[1]`), if given.
    public var validMax: Double?
    /// `scale_factor`, 1 when absent.
    public var scaleFactor: Double
    /// `add_offset`, 0 when absent.
    public var addOffset: Double

    /// Creates a packing description.
    public init(missingValues: [Double] = [], validMin: Double? = nil, validMax: Double? = nil,
                scaleFactor: Double = 1, addOffset: Double = 0) {
        self.missingValues = missingValues
        self.validMin = validMin
        self.validMax = validMax
        self.scaleFactor = scaleFactor
        self.addOffset = addOffset
    }

    /// Reads the CF packing attributes from a variable's attributes.
    public init(attributes: [Attribute]) {
        var missing: [Double] = []
        if let fill = attributes[named: "_FillValue"]?.number { missing.append(fill) }
        missing += attributes[named: "missing_value"]?.numbers ?? []
        var lo = attributes[named: "valid_min"]?.number
        var hi = attributes[named: "valid_max"]?.number
        if let range = attributes[named: "valid_range"]?.numbers, range.count == 2 {
            lo = range[0]
            hi = range[1]
        }
        self.init(missingValues: missing, validMin: lo, validMax: hi,
                  scaleFactor: attributes[named: "scale_factor"]?.number ?? 1,
                  addOffset: attributes[named: "add_offset"]?.number ?? 0)
    }

    /// Whether decoding is more than a copy: there is something to mask or to scale.
    public var isIdentity: Bool {
        missingValues.isEmpty && validMin == nil && validMax == nil && scaleFactor == 1 && addOffset == 0
    }

    /// Decodes stored values in place: missing or out-of-range values become NaN, the rest are
    /// unpacked with `value · scaleFactor + addOffset`.
    public func decode(_ values: UnsafeMutableBufferPointer<Float>) {
        let missing = missingValues.map { Float($0) }
        let lo = validMin.map { Float($0) } ?? -.infinity
        let hi = validMax.map { Float($0) } ?? .infinity
        let scale = scaleFactor, offset = addOffset
        let scales = scale != 1 || offset != 0
        // The common cases (no or one missing value) without a branch per value, so the loop
        // vectorises; the same comparisons and arithmetic as the general loop (the same bits).
        if missing.count <= 1 {
            let m = missing.first ?? .nan  // NaN equals nothing: no missing value
            guard let base = values.baseAddress else { return }
            if scales {
                for k in 0..<values.count {
                    let v = base[k]
                    let invalid = v.isNaN || v < lo || v > hi || v == m
                    base[k] = invalid ? .nan : Float(Double(v) * scale + offset)
                }
            } else {
                for k in 0..<values.count {
                    let v = base[k]
                    base[k] = v.isNaN || v < lo || v > hi || v == m ? .nan : v
                }
            }
            return
        }
        for k in values.indices {
            let v = values[k]
            if v.isNaN || v < lo || v > hi || missing.contains(v) {
                values[k] = .nan
            } else if scales {
                values[k] = Float(Double(v) * scale + offset)
            }
        }
    }
}
