import CubeCore

/// The nearest level pixel (row, column) of every pixel of a 256-pixel tile, as if each pixel
/// centre were transformed to the cube's CRS with PROJ, for a fraction of the transforms.
///
/// Transforming all 65 536 centres took about half of a tile's CPU time. Instead, centres are
/// transformed exactly on a lattice every `step` pixels and interpolated bilinearly (in tile pixel
/// space) between; the interpolation's error is measured at the middles of every lattice cell
/// and of its top and left edges (exactly transformed too) and, times `safety`, bounds it for the
/// cell's pixels. A pixel whose
/// interpolated position lies nearer than that bound to a level pixel's edge (where rounding to
/// the nearest pixel could go the other way) is transformed exactly, as is every pixel of a tile
/// whose lattice meets a point PROJ cannot transform or whose error exceeds `maxError` pixels.
/// So the chosen pixels are those of exact transforms.
enum TileLevelPixels {
    /// Lattice spacing in tile pixels.
    static let step = 16
    /// Multiplier on the measured interpolation error.
    static let safety = 4.0
    /// Interpolation errors beyond this many level pixels transform the whole tile exactly.
    static let maxError = 0.25

    /// Per tile pixel (row-major), the level pixel row and column, -1 outside the level.
    struct Pixels: Sendable {
        var rows: [Int32]
        var columns: [Int32]
        /// Pixels transformed exactly (lattice, probes and near-edge pixels, or all).
        var exact: Int
    }

    /// The cube-CRS pixel size (x) around the tile's centre: picks the level.
    static func centrePixelSize(lon: [Double], lat: [Double], transforms: GeographicTransforms) throws -> Double {
        let n = TileMatrix.size, centre = (n / 2) * n + n / 2
        var xs = [lon[centre], lon[centre + 1]], ys = [lat[centre], lat[centre + 1]]
        try transforms.toCube(x: &xs, y: &ys)
        return abs(xs[1] - xs[0])
    }

    /// The nearest pixels of `grid` for the tile whose pixel centres are `lon`/`lat` (n × n, row-major).
    static func pixels(lon: [Double], lat: [Double], grid: SourceGrid, transforms: GeographicTransforms) throws -> Pixels {
        let n = TileMatrix.size
        var rows = [Int32](repeating: -1, count: n * n), columns = [Int32](repeating: -1, count: n * n)
        let exact = try rows.withUnsafeMutableBufferPointer { rows in
            try columns.withUnsafeMutableBufferPointer { columns in
                try place(lon: lon, lat: lat, grid: grid, transforms: transforms, rows: rows, columns: columns)
            }
        }
        return Pixels(rows: rows, columns: columns, exact: exact)
    }

    /// Fills `rows`/`columns` (n × n, -1 already) for `pixels`; returns how many pixels were
    /// transformed exactly. (Writing through buffers, not captured arrays, spares the run-time
    /// exclusivity checks a captured `var` costs on every pixel.)
    private static func place(lon: [Double], lat: [Double], grid: SourceGrid, transforms: GeographicTransforms,
                              rows: UnsafeMutableBufferPointer<Int32>, columns: UnsafeMutableBufferPointer<Int32>) throws -> Int {
        let n = TileMatrix.size
        @inline(__always) func place(_ p: Int, _ x: Double, _ y: Double) {
            guard x.isFinite, y.isFinite else { rows[p] = -1; columns[p] = -1; return }
            let c = (grid.x.fractionalIndex(x) + 0.5).rounded(.down), r = (grid.y.fractionalIndex(y) + 0.5).rounded(.down)
            if c >= 0, c < Double(grid.width), r >= 0, r < Double(grid.height) {
                rows[p] = Int32(r)
                columns[p] = Int32(c)
            } else {
                rows[p] = -1
                columns[p] = -1
            }
        }
        func exactly(_ points: [Int]) throws {
            var xs = points.map { lon[$0] }, ys = points.map { lat[$0] }
            try transforms.toCube(x: &xs, y: &ys)
            for (k, p) in points.enumerated() { place(p, xs[k], ys[k]) }
        }
        if transforms.isIdentity {
            for p in 0..<(n * n) { place(p, lon[p], lat[p]) }
            return n * n
        }
        // The lattice: every `step` pixels and the last pixel, in both directions.
        let ticks = Array(stride(from: 0, to: n - 1, by: step)) + [n - 1]
        let m = ticks.count
        var lx = [Double](repeating: 0, count: m * m), ly = [Double](repeating: 0, count: m * m)
        for (a, j) in ticks.enumerated() {
            for (b, i) in ticks.enumerated() {
                lx[a * m + b] = lon[j * n + i]
                ly[a * m + b] = lat[j * n + i]
            }
        }
        try transforms.toCube(x: &lx, y: &ly)
        // Probes, three per lattice cell: the middle of its top edge, of its left edge and of the
        // cell. Bilinear interpolation's error is about u(1-u)·a + v(1-v)·b (a, b the second
        // derivatives along the axes), so the edge middles measure a and b apart; the cell's
        // middle alone can hide them when they have opposite signs.
        var probes: [Int] = [], px: [Double] = [], py: [Double] = []
        for a in 0..<(m - 1) {
            for b in 0..<(m - 1) {
                let j = (ticks[a] + ticks[a + 1]) / 2, i = (ticks[b] + ticks[b + 1]) / 2
                for p in [ticks[a] * n + i, j * n + ticks[b], j * n + i] {
                    probes.append(p)
                    px.append(lon[p])
                    py.append(lat[p])
                }
            }
        }
        try transforms.toCube(x: &px, y: &py)
        let finite = !lx.contains { !$0.isFinite } && !ly.contains { !$0.isFinite }
            && !px.contains { !$0.isFinite } && !py.contains { !$0.isFinite }
        guard finite else {
            try exactly(Array(0..<(n * n)))
            return n * n
        }
        // Bilinear in tile pixel space within lattice cell (a, b).
        @inline(__always) func interpolate(_ values: [Double], _ a: Int, _ b: Int, _ j: Int, _ i: Int) -> Double {
            let v = Double(j - ticks[a]) / Double(ticks[a + 1] - ticks[a]), u = Double(i - ticks[b]) / Double(ticks[b + 1] - ticks[b])
            let top = values[a * m + b] * (1 - u) + values[a * m + b + 1] * u
            let bottom = values[(a + 1) * m + b] * (1 - u) + values[(a + 1) * m + b + 1] * u
            return top * (1 - v) + bottom * v
        }
        // Per lattice cell, the error bound in level pixels (x and y).
        let xStep = abs(grid.x.values.count > 1 ? grid.x.values[1] - grid.x.values[0] : 1)
        let yStep = abs(grid.y.values.count > 1 ? grid.y.values[1] - grid.y.values[0] : 1)
        var bounds = [(x: Double, y: Double)](repeating: (0, 0), count: (m - 1) * (m - 1))
        for a in 0..<(m - 1) {
            for b in 0..<(m - 1) {
                let k = a * (m - 1) + b
                var e = [(x: Double, y: Double)]()
                for q in (3 * k)..<(3 * k + 3) {
                    let j = probes[q] / n, i = probes[q] % n
                    e.append((abs(interpolate(lx, a, b, j, i) - px[q]) / xStep, abs(interpolate(ly, a, b, j, i) - py[q]) / yStep))
                }
                let ex = max(e[0].x + e[1].x, e[2].x), ey = max(e[0].y + e[1].y, e[2].y)
                bounds[k] = (safety * ex + 1e-9, safety * ey + 1e-9)
                if bounds[k].x > maxError || bounds[k].y > maxError {
                    try exactly(Array(0..<(n * n)))
                    return n * n
                }
            }
        }
        var doubtful: [Int] = []
        var a = 0
        for j in 0..<n {
            while a < m - 2 && j >= ticks[a + 1] { a += 1 }
            var b = 0
            for i in 0..<n {
                while b < m - 2 && i >= ticks[b + 1] { b += 1 }
                let p = j * n + i
                let x = interpolate(lx, a, b, j, i), y = interpolate(ly, a, b, j, i)
                let bound = bounds[a * (m - 1) + b]
                // Distance of the rounding argument to the nearest integer (a level pixel's edge).
                let fx = grid.x.fractionalIndex(x) + 0.5, fy = grid.y.fractionalIndex(y) + 0.5
                if abs(fx - fx.rounded()) < bound.x || abs(fy - fy.rounded()) < bound.y {
                    doubtful.append(p)
                } else {
                    place(p, x, y)
                }
            }
        }
        // Lattice points and probes are known exactly: use those values too.
        for (a, j) in ticks.enumerated() {
            for (b, i) in ticks.enumerated() { place(j * n + i, lx[a * m + b], ly[a * m + b]) }
        }
        for (k, p) in probes.enumerated() { place(p, px[k], py[k]) }
        try exactly(doubtful)
        return m * m + probes.count + doubtful.count
    }
}
