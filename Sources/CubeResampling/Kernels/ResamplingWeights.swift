/// The precomputed form of a resampling step: for each target pixel, the buffer indices of the
/// source cells it reads and their weights. Depends only on the mapping, the method and the
/// source window, so it is computed once per region and applied to every variable and time step.
///
/// Layout: `taps` entries per pixel; `indices[k * taps + n]` and `weights[k * taps + n]` for pixel
/// `k`; an index of -1 marks a tap that reads nothing (off the grid or the window).
/// `apply` gives the same values as `Resampler.resample` (checked by a seeded property test).
public struct ResamplingWeights: Sendable {
    /// Source cells read per target pixel (1 for nearest, 4 for bilinear), or 0 when the count
    /// varies per pixel (area methods): then pixel `k` reads entries `offsets[k] ..< offsets[k + 1]`.
    public let taps: Int
    /// Per-pixel entry ranges when `taps` is 0.
    public let offsets: [Int32]
    /// How the weighted values of a pixel combine.
    public let reduction: AreaReduction
    /// With fixed taps: the valid weight a pixel needs, else it is fill (0: any valid tap will do;
    /// kernels with negative lobes need more, so a few stray taps cannot blow the value up).
    public let minimumWeight: Float
    /// Buffer indices into the source window, -1 for none.
    public let indices: [Int32]
    /// Weights of the taps.
    public let weights: [Float]
    /// The number of target pixels.
    public var count: Int { taps == 0 ? offsets.count - 1 : indices.count / taps }

    /// The bytes the weights hold (indices, weights and offsets), for bounded caches.
    public var bytes: Int { (offsets.count + indices.count) * MemoryLayout<Int32>.size + weights.count * MemoryLayout<Float>.size }

    /// Creates weights from their parts (see the layout above).
    init(taps: Int, offsets: [Int32], indices: [Int32], weights: [Float], reduction: AreaReduction = .mean, minimumWeight: Float = 0) {
        self.reduction = reduction
        self.minimumWeight = minimumWeight
        self.taps = taps
        self.offsets = offsets
        self.indices = indices
        self.weights = weights
    }

    /// Precomputes `method` over `mapping` for a source buffer laid out as `window`.
    public init(_ method: ResamplingMethod, mapping: PixelMapping, window: SourceWindowBounds) {
        if [.cubic, .cubicSpline, .lanczos].contains(method) {
            self = ResamplingWeights(separable: method, mapping: mapping, window: window)
            return
        }
        let g = KernelGeometry(mapping: mapping, window: window)
        let n = mapping.width * mapping.height
        offsets = []
        reduction = .mean
        minimumWeight = 0
        switch method {
        case .nearest, .bilinear: break
        default: preconditionFailure("area methods need pixel corners: use ResamplingWeights(area:corners:latitudes:window:)")
        }
        switch method {
        case .nearest:
            taps = 1
            var indices = [Int32](repeating: -1, count: n)
            for k in 0..<n {
                let c = mapping.column[k], r = mapping.row[k]
                guard g.contains(column: c, row: r) else { continue }
                let row = min(max(Int((r + 0.5).rounded(.down)), 0), g.sourceHeight - 1)
                indices[k] = Int32(g.index(row: row, column: g.gridColumn(Int((c + 0.5).rounded(.down)))))
            }
            self.indices = indices
            weights = [Float](repeating: 1, count: n)
        case .bilinear:
            taps = 4
            var indices = [Int32](repeating: -1, count: 4 * n)
            var weights = [Float](repeating: 0, count: 4 * n)
            for k in 0..<n {
                let c = mapping.column[k], r = mapping.row[k]
                guard g.contains(column: c, row: r) else { continue }
                let c0 = c.rounded(.down), r0 = r.rounded(.down)
                let fx = Float(c - c0), fy = Float(r - r0)
                let ic = Int(c0), ir = Int(r0)
                let cA = g.gridColumn(ic), cB = g.gridColumn(ic + 1)
                let rA = min(max(ir, 0), g.sourceHeight - 1), rB = min(max(ir + 1, 0), g.sourceHeight - 1)
                indices[4 * k] = Int32(g.index(row: rA, column: cA))
                indices[4 * k + 1] = Int32(g.index(row: rA, column: cB))
                indices[4 * k + 2] = Int32(g.index(row: rB, column: cA))
                indices[4 * k + 3] = Int32(g.index(row: rB, column: cB))
                weights[4 * k] = (1 - fx) * (1 - fy)
                weights[4 * k + 1] = fx * (1 - fy)
                weights[4 * k + 2] = (1 - fx) * fy
                weights[4 * k + 3] = fx * fy
            }
            self.indices = indices
            self.weights = weights
        default:
            preconditionFailure("unreachable: area methods were rejected above")
        }
    }

    /// Resamples one plane: fill-aware weighted sums over the taps (NaN taps dropped, weights
    /// renormalised, NaN when no valid weight remains).
    /// - Precondition: `source` is laid out as the window the weights were made for.
    public func apply(source: UnsafeBufferPointer<Float>, into output: UnsafeMutableBufferPointer<Float>) {
        precondition(output.count >= count, "output buffer smaller than the weights")
        indices.withUnsafeBufferPointer { idx in
            weights.withUnsafeBufferPointer { wts in
                if taps == 0, reduction != .mean {
                    applyReduction(source: source, indices: idx, weights: wts, into: output)
                    return
                }
                if taps == 0 {
                    offsets.withUnsafeBufferPointer { off in
                        for k in 0..<count {
                            var sum: Double = 0, weight: Double = 0
                            for t in Int(off[k])..<Int(off[k + 1]) {
                                let v = source[Int(idx[t])]
                                if !v.isNaN {
                                    sum += Double(v) * Double(wts[t])
                                    weight += Double(wts[t])
                                }
                            }
                            output[k] = weight > 0 ? Float(sum / weight) : .nan
                        }
                    }
                    return
                }
                if taps == 1 {
                    for k in 0..<count {
                        let i = Int(idx[k])
                        output[k] = i >= 0 ? source[i] : .nan
                    }
                    return
                }
                let taps = self.taps, minimum = minimumWeight
                /// The fill-aware weighted mean over taps `first ..< first + taps`.
                @inline(__always) func weighted(_ first: Int) -> Float {
                    var sum: Float = 0, weight: Float = 0
                    for t in first..<(first &+ taps) {
                        let i = Int(idx[t])
                        guard i >= 0 else { continue }
                        let v = source[i]
                        if !v.isNaN {
                            sum += v * wts[t]
                            weight += wts[t]
                        }
                    }
                    return weight > minimum ? sum / weight : .nan
                }
                guard taps == 4 else {
                    for k in 0..<count { output[k] = weighted(k &* taps) }
                    return
                }
                // Bilinear: when all four taps are inside and valid, the sums of `weighted` in the
                // same order without branches (the same bits); else `weighted` itself.
                for k in 0..<count {
                    let t = 4 &* k
                    let i0 = Int(idx[t]), i1 = Int(idx[t &+ 1]), i2 = Int(idx[t &+ 2]), i3 = Int(idx[t &+ 3])
                    if i0 | i1 | i2 | i3 >= 0 {
                        let w0 = wts[t], w1 = wts[t &+ 1], w2 = wts[t &+ 2], w3 = wts[t &+ 3]
                        let v0 = source[i0], v1 = source[i1], v2 = source[i2], v3 = source[i3]
                        let sum = v0 * w0 + v1 * w1 + v2 * w2 + v3 * w3
                        if !sum.isNaN {
                            let weight = w0 + w1 + w2 + w3
                            output[k] = weight > minimum ? sum / weight : .nan
                            continue
                        }
                        // Four missing taps (the sea in a land field): no weight is left, as
                        // `weighted` would find, without its loop.
                        if v0.isNaN && v1.isNaN && v2.isNaN && v3.isNaN {
                            output[k] = .nan
                            continue
                        }
                    }
                    output[k] = weighted(t)
                }
            }
        }
    }
}
