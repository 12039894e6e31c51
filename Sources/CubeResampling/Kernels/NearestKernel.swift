/// Nearest neighbour: the source cell whose centre is closest (ties go to the higher index, like
/// GDAL's `floor(x + 0.5)`).
enum NearestKernel {
    static func run(source: UnsafeBufferPointer<Float>, geometry g: KernelGeometry, columns: UnsafeBufferPointer<Double>,
                    rows: UnsafeBufferPointer<Double>, output: UnsafeMutableBufferPointer<Float>) {
        for k in 0..<columns.count {
            let c = columns[k], r = rows[k]
            guard g.contains(column: c, row: r) else {
                output[k] = .nan
                continue
            }
            let row = min(max(Int((r + 0.5).rounded(.down)), 0), g.sourceHeight - 1)
            let column = g.gridColumn(Int((c + 0.5).rounded(.down)))
            let index = g.index(row: row, column: column)
            output[k] = index >= 0 ? source[index] : .nan
        }
    }
}
