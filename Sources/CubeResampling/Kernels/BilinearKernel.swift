/// Bilinear interpolation, fill-aware: of the four cells around the position, those holding NaN
/// (or lying off the grid) are dropped and the remaining weights renormalised; NaN when the valid
/// weights sum to zero. At the grid's outer half-cells the edge cell is repeated.
enum BilinearKernel {
    static func run(source: UnsafeBufferPointer<Float>, geometry g: KernelGeometry, columns: UnsafeBufferPointer<Double>,
                    rows: UnsafeBufferPointer<Double>, output: UnsafeMutableBufferPointer<Float>) {
        for k in 0..<columns.count {
            let c = columns[k], r = rows[k]
            guard g.contains(column: c, row: r) else {
                output[k] = .nan
                continue
            }
            let c0 = c.rounded(.down), r0 = r.rounded(.down)
            let fx = Float(c - c0), fy = Float(r - r0)
            let ic = Int(c0), ir = Int(r0)
            let cA = g.gridColumn(ic), cB = g.gridColumn(ic + 1)
            let rA = min(max(ir, 0), g.sourceHeight - 1), rB = min(max(ir + 1, 0), g.sourceHeight - 1)
            var sum: Float = 0, weight: Float = 0
            @inline(__always) func add(_ row: Int, _ column: Int, _ w: Float) {
                let index = g.index(row: row, column: column)
                guard index >= 0 else { return }
                let v = source[index]
                if !v.isNaN {
                    sum += v * w
                    weight += w
                }
            }
            add(rA, cA, (1 - fx) * (1 - fy))
            add(rA, cB, fx * (1 - fy))
            add(rB, cA, (1 - fx) * fy)
            add(rB, cB, fx * fy)
            output[k] = weight > 0 ? sum / weight : .nan
        }
    }
}
