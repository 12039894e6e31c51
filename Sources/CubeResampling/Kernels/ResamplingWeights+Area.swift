public import CubeCore
import Foundation

extension ResamplingWeights {
    /// Precomputes an area method from the mapped corners of the target pixels.
    ///
    /// Each target pixel's footprint is the box spanned by its four mapped corners in source
    /// index space (exact for axis-aligned grids in the same CRS, the usual approximation
    /// otherwise). A source cell `q` covers `q − 0.5 … q + 0.5`; its weight is the product of its
    /// column and row overlaps with the box. For `conservative` with `latitudes` (a geographic
    /// source), the row overlap is measured as sin(north) − sin(south), the cell's true area share.
    /// A footprint smaller than a cell gives that cell alone (up-sampling repeats the value).
    /// - Parameters:
    ///   - method: An area method (`average`, `conservative`, `rms`, `sum`, `mode`, `min`, `max`,
    ///     `med`, `q1`, `q3`); only `conservative` uses spherical latitude weights.
    ///   - corners: The mapping of the region's pixel corners: `(width + 1) × (height + 1)` points.
    ///   - latitudes: The source's latitude axis for `conservative`; `nil` for planar weights.
    ///   - window: The layout of the source buffer.
    public init(area method: ResamplingMethod, corners: PixelMapping, latitudes: AxisCoordinates?, window: SourceWindowBounds) {
        precondition(method.isArea, "\(method) is not an area method")
        let g = KernelGeometry(mapping: corners, window: window)
        let width = corners.width - 1, height = corners.height - 1
        var offsets: [Int32] = [0]
        var indices: [Int32] = []
        var weights: [Float] = []
        offsets.reserveCapacity(width * height + 1)
        let spherical = method == .conservative && latitudes != nil
        let sourceWidth = Double(corners.sourceWidth), sourceHeight = Double(corners.sourceHeight)
        // Per pixel: the overlapped columns and rows, then the pixel's taps, in scratch buffers
        // grown as needed (appending to arrays entry by entry paid a uniqueness check per tap).
        var columnWeights = ScratchBuffer<(Int, Double)>(), rowWeights = ScratchBuffer<(Int, Double)>()
        var pixelIndices = ScratchBuffer<Int32>(), pixelWeights = ScratchBuffer<Float>()
        defer {
            columnWeights.free()
            rowWeights.free()
            pixelIndices.free()
            pixelWeights.free()
        }
        // The footprint rows `rowWeights` holds (none yet).
        var rowsOf = (r0: Double.nan, r1: Double.nan)
        for j in 0..<height {
            for i in 0..<width {
                // The four corners, as scalars (no per-pixel arrays: this loop runs for every
                // target pixel of every region).
                let p00 = j * corners.width + i, p10 = p00 + corners.width
                var ca = corners.column[p00], cb = corners.column[p00 + 1], cc = corners.column[p10], cd = corners.column[p10 + 1]
                let ra = corners.row[p00], rb = corners.row[p00 + 1], rc = corners.row[p10], rd = corners.row[p10 + 1]
                guard ca.isFinite, cb.isFinite, cc.isFinite, cd.isFinite, ra.isFinite, rb.isFinite, rc.isFinite, rd.isFinite else {
                    offsets.append(Int32(indices.count))
                    continue
                }
                if corners.wrapsColumns, max(ca, cb, cc, cd) - min(ca, cb, cc, cd) > sourceWidth / 2 {
                    let half = sourceWidth / 2
                    if ca < half { ca += sourceWidth }
                    if cb < half { cb += sourceWidth }
                    if cc < half { cc += sourceWidth }
                    if cd < half { cd += sourceWidth }
                }
                var c0 = min(ca, cb, cc, cd), c1 = max(ca, cb, cc, cd)
                var r0 = max(min(ra, rb, rc, rd), -0.5), r1 = min(max(ra, rb, rc, rd), sourceHeight - 0.5)
                if !corners.wrapsColumns {
                    c0 = max(c0, -0.5)
                    c1 = min(c1, sourceWidth - 0.5)
                }
                guard c1 >= c0, r1 >= r0 else {
                    offsets.append(Int32(indices.count))
                    continue
                }
                // A degenerate footprint (a point, or a line) takes the cell(s) it lies in.
                if c1 - c0 < 1e-12 { c1 = c0 + 1e-9 }
                if r1 - r0 < 1e-12 { r1 = r0 + 1e-9 }
                columnWeights.count = 0
                for q in Int((c0 + 0.5).rounded(.down))...Int((c1 + 0.5).rounded(.down)) {
                    let overlap = min(c1, Double(q) + 0.5) - max(c0, Double(q) - 0.5)
                    if overlap > 0 { columnWeights.append((g.gridColumn(q), overlap)) }
                }
                // The row overlaps depend on the footprint's rows only: the pixels of a row of an
                // axis-aligned mapping share them (and their sines).
                if r0 != rowsOf.r0 || r1 != rowsOf.r1 {
                    rowsOf = (r0, r1)
                    rowWeights.count = 0
                    for q in Int((r0 + 0.5).rounded(.down))...Int((r1 + 0.5).rounded(.down)) where q >= 0 && Double(q) < sourceHeight {
                        let lo = max(r0, Double(q) - 0.5), hi = min(r1, Double(q) + 0.5)
                        guard hi > lo else { continue }
                        if spherical, let latitudes {
                            let a = latitude(latitudes, lo) * .pi / 180, b = latitude(latitudes, hi) * .pi / 180
                            rowWeights.append((q, abs(sin(b) - sin(a))))
                        } else {
                            rowWeights.append((q, hi - lo))
                        }
                    }
                }
                pixelIndices.count = 0
                pixelWeights.count = 0
                for r in 0..<rowWeights.count {
                    let (row, wy) = rowWeights[r]
                    for c in 0..<columnWeights.count {
                        let (column, wx) = columnWeights[c]
                        let index = g.index(row: row, column: column)
                        guard index >= 0, wx * wy > 0 else { continue }
                        pixelIndices.append(Int32(index))
                        pixelWeights.append(Float(wx * wy))
                    }
                }
                indices.append(contentsOf: pixelIndices.contents)
                weights.append(contentsOf: pixelWeights.contents)
                offsets.append(Int32(indices.count))
            }
        }
        self.init(taps: 0, offsets: offsets, indices: indices, weights: weights, reduction: AreaReduction(method))
    }
}

/// A growable buffer of trivial values for a hot loop: `append` writes in place (no copy-on-write
/// check), `count = 0` empties it, `free()` releases it.
private struct ScratchBuffer<Element> {
    private var storage = UnsafeMutablePointer<Element>.allocate(capacity: 16)
    private var capacity = 16
    /// The values held.
    var count = 0

    mutating func append(_ value: Element) {
        if count == capacity {
            let grown = UnsafeMutablePointer<Element>.allocate(capacity: capacity * 2)
            grown.moveInitialize(from: storage, count: count)
            storage.deallocate()
            storage = grown
            capacity *= 2
        }
        (storage + count).initialize(to: value)
        count += 1
    }

    subscript(index: Int) -> Element { storage[index] }

    /// The values held, valid until the next `append` or `free`.
    var contents: UnsafeBufferPointer<Element> { UnsafeBufferPointer(start: storage, count: count) }

    func free() { storage.deallocate() }
}

/// The latitude at fractional row `r` of an axis of cell centres (linear between centres, the
/// outer half-cells extended with the end steps), clamped to ±90°.
private func latitude(_ axis: AxisCoordinates, _ r: Double) -> Double {
    let v = axis.values, n = v.count
    guard n > 1 else { return v[0] }
    let lower = min(max(Int(r.rounded(.down)), 0), n - 2)
    let value = v[lower] + (r - Double(lower)) * (v[lower + 1] - v[lower])
    return min(90, max(-90, value))
}
