public import CubeCore

/// Approximates the target → source index mapping along one scanline within an error bound, by
/// exact transforms at segment ends and middles and linear interpolation in between (GDAL's
/// `GDALApproxTransform` idea, with the error measured in source pixels).
struct ScanlineApproximation {
    let target: RegularGrid
    let source: SourceGrid
    let transform: any CoordinateTransform
    let maxError: Double

    /// Writes the fractional source indices of the pixel centres of `row`, `columns` into
    /// `xs`/`ys` from `offset` on.
    func fill(row: Int, columns: Range<Int>, xs: inout [Double], ys: inout [Double], offset: Int) {
        let y = target.yCenter(row)
        var cache: [Int: (Double, Double)] = [:]
        func exact(_ i: Int) -> (Double, Double) {
            if let known = cache[i] { return known }
            var px = [target.xCenter(columns.lowerBound + i)], py = [y]
            px.withUnsafeMutableBufferPointer { a in py.withUnsafeMutableBufferPointer { b in transform.transform(x: a, y: b) } }
            let index = PixelMapping.sourceIndex(px[0], py[0], in: source)
            cache[i] = index
            return index
        }
        let wrapHalf = Double(source.width) / 2
        // Segments [a, b] of pixel positions, processed from a stack.
        var stack = [(0, columns.count - 1)]
        while let (a, b) = stack.popLast() {
            let ea = exact(a), eb = exact(b)
            xs[offset + a] = ea.0
            ys[offset + a] = ea.1
            xs[offset + b] = eb.0
            ys[offset + b] = eb.1
            guard b - a > 1 else { continue }
            let m = (a + b) / 2
            let em = exact(m)
            let f = Double(m - a) / Double(b - a)
            let ix = ea.0 + f * (eb.0 - ea.0), iy = ea.1 + f * (eb.1 - ea.1)
            let finite = [ea.0, ea.1, eb.0, eb.1, em.0, em.1].allSatisfy(\.isFinite)
            let acrossSeam = source.wrapsLongitude && abs(eb.0 - ea.0) > wrapHalf
            if finite && !acrossSeam && abs(ix - em.0) <= maxError && abs(iy - em.1) <= maxError {
                for i in (a + 1)..<b {
                    let g = Double(i - a) / Double(b - a)
                    xs[offset + i] = ea.0 + g * (eb.0 - ea.0)
                    ys[offset + i] = ea.1 + g * (eb.1 - ea.1)
                }
            } else {
                stack.append((m, b))
                stack.append((a, m))
            }
        }
    }
}
