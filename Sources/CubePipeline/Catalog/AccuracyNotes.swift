import CubeCatalog
import CubeCore
import CubeResampling
import Foundation

/// The plain-language accuracy effect of each kind of step, with the numbers that exist.
enum AccuracyNotes {
    private static func n(_ value: Double) -> String { LineageFormat.number(value) }
    private static func km(_ metres: Double) -> String { metres >= 1000 ? "\(n(metres / 1000)) km" : "\(n(metres)) m" }

    /// Reading and CF decoding.
    static func decode(_ dataType: DataType, _ packing: CFPacking) -> String {
        var parts: [String] = []
        if !dataType.isFloatingPoint && (packing.scaleFactor != 1 || packing.addOffset != 0) {
            parts.append("source values are packed as \(dataType) with scale_factor \(n(packing.scaleFactor)): quantised to steps of \(n(abs(packing.scaleFactor))) (±\(n(abs(packing.scaleFactor) / 2))) before CubeGen read them")
        } else if !dataType.isFloatingPoint {
            parts.append("integer values read exactly")
        } else {
            parts.append("\(dataType) values read exactly")
        }
        if !packing.missingValues.isEmpty { parts.append("fill value(s) \(packing.missingValues.map(n).joined(separator: ", ")) become missing") }
        if packing.validMin != nil || packing.validMax != nil {
            parts.append("stored values outside the valid range [\(packing.validMin.map(n) ?? "-inf"), \(packing.validMax.map(n) ?? "inf")] become missing")
        }
        parts.append("values are computed in float32 from here on (relative precision 6e-08)")
        return parts.joined(separator: "; ")
    }

    /// Mapping target pixels into the source CRS.
    static func reproject(maxError: Double, projVersion: String) -> String {
        maxError > 0
            ? "target pixel centres are mapped with PROJ \(projVersion) on scanline segments and interpolated in between, within ±\(n(maxError)) source pixel of the exact position"
            : "every target pixel centre is mapped exactly with PROJ \(projVersion) (no approximation; positions exact to floating-point precision)"
    }

    /// Spatial resampling, by method family and direction.
    static func resample(_ method: ResamplingMethod, scale: SpatialScale?) -> String {
        let fillRule = "fill-aware: missing source pixels are dropped and the remaining weights renormalised; the result is fill only where nothing valid contributes"
        guard let scale else { return "the target grid does not overlap the source: every value is fill" }
        let factor = scale.factor, source = km(scale.sourcePixelMetres), target = km(scale.targetPixelSize)
        let perTarget = scale.sourcePixelsPerTargetPixel.x * scale.sourcePixelsPerTargetPixel.y
        let up = factor > 1.05, down = factor < 0.95
        let direction = up ? "up-sampling ×\(n(factor))" : down ? "down-sampling ×\(n(factor)) (about \(n(perTarget)) source pixels per target pixel)" : "resampling at about the source resolution (×\(n(factor)))"
        var text: String
        switch method {
        case .nearest:
            text = up ? "\(direction): values repeated from the nearest source pixel; nothing below \(source) is observed"
                : down ? "\(direction): one source pixel is picked per target pixel, the others are ignored (no averaging; aliasing possible)"
                : "\(direction): values taken from the nearest source pixel; positions shift by up to half a source pixel (≈ \(km(scale.sourcePixelMetres / 2)))"
        case .bilinear, .cubic, .cubicSpline, .lanczos:
            let kernel = method == .bilinear ? "bilinear between the 4 surrounding source pixels" : method == .cubic ? "cubic convolution over 4 × 4 source pixels (may overshoot at sharp edges)"
                : method == .cubicSpline ? "cubic B-spline over 4 × 4 source pixels (smooths)" : "Lanczos (a = 3) over 6 × 6 source pixels (may overshoot at sharp edges)"
            text = up ? "\(direction): \(kernel); interpolated, not observed, below \(source)"
                : down ? "\(direction): \(kernel) at each target pixel centre only, so most source pixels do not contribute (aliasing possible; average or conservative aggregate instead)"
                : "\(direction): \(kernel); smooths features at the source pixel scale (\(source))"
        case .average, .conservative, .rms, .sum, .mode, .min, .max, .med, .q1, .q3:
            let weighting = method == .conservative ? "weighted by true cell areas on the sphere (area integral conserved)" : "weighted by each source pixel's fractional overlap in source-grid units"
            let statistic: String
            switch method {
            case .average, .conservative: statistic = "area mean"
            case .rms: statistic = "root mean square"
            case .sum: statistic = "overlap-weighted sum (totals, not means)"
            case .mode: statistic = "most frequent value"
            case .min: statistic = "minimum"
            case .max: statistic = "maximum"
            case .med: statistic = "weighted median"
            case .q1: statistic = "weighted first quartile"
            default: statistic = "weighted third quartile"
            }
            text = up ? "\(direction): each target pixel takes the \(statistic) of the source pixel(s) it overlaps, \(weighting); values repeat, nothing below \(source) is observed"
                : "\(direction): \(statistic) of the overlapping source pixels, \(weighting); variability below the target pixel size (\(target)) is removed"
        }
        return text + "; " + fillRule
    }

    /// Temporal aggregation.
    static func aggregate(_ aggregation: TemporalAggregation, period: String, steps: ClosedRange<Int>, minCount: Int) -> String {
        let count = steps.lowerBound == steps.upperBound ? "\(steps.lowerBound)" : "\(steps.lowerBound)–\(steps.upperBound)"
        let base = "\(count) source step(s) per \(period) period; periods with fewer than \(minCount) valid value(s) are fill"
        switch aggregation {
        case .mean: return "mean of the valid steps: variability within a period is removed; \(base)"
        case .median: return "median of the valid steps: variability within a period is removed; \(base)"
        case .sum: return "sum of the valid steps: a missing step lowers the sum; \(base)"
        case .count: return "number of valid steps (units 1), not a physical value; \(base)"
        case .std: return "standard deviation of the valid steps (population, ddof 0); \(base)"
        case .min, .max: return "\(aggregation.rawValue)imum of the valid steps: an extreme, sensitive to outliers; \(base)"
        case .first, .last: return "the \(aggregation.rawValue) valid step of each period is kept, the others are dropped; \(base)"
        }
    }

    private static func integerRange(_ dataType: DataType) -> (Double, Double)? {
        switch dataType {
        case .int8: return (Double(Int8.min), Double(Int8.max))
        case .int16: return (Double(Int16.min), Double(Int16.max))
        case .int32: return (Double(Int32.min), Double(Int32.max))
        case .int64: return (Double(Int64.min), Double(Int64.max))
        case .uint8: return (0, Double(UInt8.max))
        case .uint16: return (0, Double(UInt16.max))
        case .uint32: return (0, Double(UInt32.max))
        case .uint64: return (0, Double(UInt64.max))
        case .float32, .float64: return nil
        }
    }

    /// Casting and packing to the stored type.
    static func cast(_ dataType: DataType, scale: Double?, offset: Double?, fill: Double, clipped: Int) -> String {
        if dataType.isFloatingPoint && scale == nil && offset == nil {
            return dataType == .float32 ? "stored as float32: no further rounding (relative precision 6e-08)"
                : "stored as float64, computed in float32: relative precision 6e-08"
        }
        let s = scale ?? 1, o = offset ?? 0
        var text: String
        if dataType.isFloatingPoint {
            text = "stored as \(dataType) with scale_factor \(n(s)) and add_offset \(n(o))"
        } else {
            text = "packed to \(dataType) with scale_factor \(n(s)) and add_offset \(n(o)): values rounded to ±\(n(abs(s) / 2))"
            if let range = integerRange(dataType) {
                let lo = range.0 * s + o, hi = range.1 * s + o
                text += "; representable range [\(n(min(lo, hi))), \(n(max(lo, hi)))], fill value \(n(fill))"
            }
        }
        text += clipped > 0 ? "; \(clipped) value(s) outside the representable range were stored as fill" : "; no value was outside the representable range"
        return text
    }
}
