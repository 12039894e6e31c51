/// The longitude and latitude of every cell centre of a curvilinear grid (swaths, rotated-pole or
/// tripolar model grids: CF 2-D `lon(y, x)`/`lat(y, x)`), and the inverse: which fractional cell
/// position a longitude/latitude falls on.
///
/// The inverse works on the quadrilaterals between neighbouring cell centres (plus a ring
/// extrapolated half a cell beyond the outer centres): a point inside a quadrilateral gets the
/// fractional indices that bilinear interpolation of its corners maps onto the point, so
/// interpolation kernels on the index grid interpolate on the curvilinear grid. Quadrilaterals are
/// found through a bucket grid over longitude/latitude built once; longitudes are unwrapped per
/// quadrilateral, so grids crossing the antimeridian work. Cells with NaN coordinates (swath fill)
/// are holes.
public final class Geolocation: Hashable, Sendable {
    /// Columns.
    public let width: Int
    /// Rows.
    public let height: Int
    /// Longitudes of the cell centres, row-major (`row * width + column`), degrees.
    public let longitudes: [Double]
    /// Latitudes of the cell centres, row-major, degrees.
    public let latitudes: [Double]

    /// Corner positions of the extended grid ((width + 2) × (height + 2), index offset −1).
    private let lon: [Double], lat: [Double]
    private let index: BucketIndex

    /// Creates the geolocation of a `width` × `height` grid.
    /// - Throws: `CubeError` (`.invalidInput`) when the arrays do not hold `width · height` values,
    ///   the grid is smaller than 2 × 2, or a latitude lies outside −90…90.
    public init(width: Int, height: Int, longitudes: [Double], latitudes: [Double]) throws {
        guard width >= 2, height >= 2, longitudes.count == width * height, latitudes.count == width * height else {
            throw CubeError(.invalidInput, "2-D longitude/latitude arrays must both hold \(width) × \(height) values (at least 2 × 2)")
        }
        if let bad = latitudes.first(where: { $0.isFinite && abs($0) > 90 }) {
            throw CubeError(.invalidInput, "latitude \(bad) is outside −90…90")
        }
        self.width = width
        self.height = height
        self.longitudes = longitudes
        self.latitudes = latitudes
        (lon, lat) = Geolocation.extended(width: width, height: height, longitudes: longitudes, latitudes: latitudes)
        index = BucketIndex(width: width + 1, height: height + 1, extendedWidth: width + 2, lon: lon, lat: lat)
    }

    /// The fractional (column, row) of the point, or NaNs when no cell holds it.
    public func fractionalIndex(longitude: Double, latitude: Double) -> (column: Double, row: Double) {
        guard longitude.isFinite, latitude.isFinite else { return (.nan, .nan) }
        let stride = width + 2
        for candidate in index.candidates(longitude: longitude, latitude: latitude) {
            let quad = Int(candidate)
            let i = quad % (width + 1), j = quad / (width + 1)
            let k00 = j * stride + i, k10 = k00 + 1, k01 = k00 + stride, k11 = k01 + 1
            let reference = lon[k00]
            func x(_ k: Int) -> Double { Geolocation.unwrap(lon[k], near: reference) }
            let px = Geolocation.unwrap(longitude, near: reference)
            guard let (u, v) = Geolocation.inverseBilinear(
                px, latitude, (x(k00), lat[k00]), (x(k10), lat[k10]), (x(k01), lat[k01]), (x(k11), lat[k11]))
            else { continue }
            let column = Double(i - 1) + u, row = Double(j - 1) + v
            guard column >= -0.5, column <= Double(width) - 0.5, row >= -0.5, row <= Double(height) - 0.5 else { continue }
            return (column, row)
        }
        return (.nan, .nan)
    }

    /// Compares sizes and coordinates.
    public static func == (a: Geolocation, b: Geolocation) -> Bool {
        a === b || (a.width == b.width && a.height == b.height && a.longitudes.elementsEqual(b.longitudes, by: same)
            && a.latitudes.elementsEqual(b.latitudes, by: same))
    }

    /// Hashes the size and a few coordinates.
    public func hash(into hasher: inout Hasher) {
        hasher.combine(width)
        hasher.combine(height)
        hasher.combine(longitudes.first)
        hasher.combine(latitudes.last)
    }

    private static func same(_ a: Double, _ b: Double) -> Bool { a == b || (a.isNaN && b.isNaN) }

    /// `value` shifted by a multiple of 360 into `reference ± 180`.
    @inline(__always) static func unwrap(_ value: Double, near reference: Double) -> Double {
        var v = value
        while v - reference > 180 { v -= 360 }
        while v - reference < -180 { v += 360 }
        return v
    }

    /// The centres with one extrapolated ring around them (linear, longitudes unwrapped).
    private static func extended(width: Int, height: Int, longitudes: [Double], latitudes: [Double]) -> ([Double], [Double]) {
        let w = width + 2, h = height + 2
        var lon = [Double](repeating: .nan, count: w * h), lat = [Double](repeating: .nan, count: w * h)
        for j in 0..<height {
            for i in 0..<width {
                lon[(j + 1) * w + i + 1] = longitudes[j * width + i]
                lat[(j + 1) * w + i + 1] = latitudes[j * width + i]
            }
        }
        // Columns first (inner rows), then rows (full width, so the corners get values too).
        for j in 1...height {
            for (edge, inner, next) in [(0, 1, 2), (w - 1, w - 2, w - 3)] {
                let a = j * w + inner, b = j * w + next
                lon[j * w + edge] = lon[a] - (unwrap(lon[b], near: lon[a]) - lon[a])
                lat[j * w + edge] = 2 * lat[a] - lat[b]
            }
        }
        for i in 0..<w {
            for (edge, inner, next) in [(0, 1, 2), (h - 1, h - 2, h - 3)] {
                let a = inner * w + i, b = next * w + i
                lon[edge * w + i] = lon[a] - (unwrap(lon[b], near: lon[a]) - lon[a])
                lat[edge * w + i] = max(-90, min(90, 2 * lat[a] - lat[b]))
            }
        }
        return (lon, lat)
    }

    /// (u, v) in [0, 1]² with bilinear(p00, p10, p01, p11; u, v) = (x, y), or `nil`.
    static func inverseBilinear(_ x: Double, _ y: Double, _ p00: (Double, Double), _ p10: (Double, Double),
                                _ p01: (Double, Double), _ p11: (Double, Double)) -> (Double, Double)? {
        let e = (p10.0 - p00.0, p10.1 - p00.1), f = (p01.0 - p00.0, p01.1 - p00.1)
        let g = (p00.0 - p10.0 - p01.0 + p11.0, p00.1 - p10.1 - p01.1 + p11.1)
        let h = (x - p00.0, y - p00.1)
        func cross(_ a: (Double, Double), _ b: (Double, Double)) -> Double { a.0 * b.1 - a.1 * b.0 }
        let k2 = cross(g, f), k1 = cross(e, f) + cross(h, g), k0 = cross(h, e)
        let tolerance = 1e-9
        var candidates: [Double] = []
        if abs(k2) < 1e-12 * max(1, abs(k1)) {
            guard abs(k1) > 1e-300 else { return nil }
            candidates = [-k0 / k1]
        } else {
            let discriminant = k1 * k1 - 4 * k0 * k2
            guard discriminant >= 0 else { return nil }
            let root = discriminant.squareRoot()
            candidates = [(-k1 - root) / (2 * k2), (-k1 + root) / (2 * k2)]
        }
        for v in candidates where v >= -tolerance && v <= 1 + tolerance {
            let dx = e.0 + g.0 * v, dy = e.1 + g.1 * v
            let u = abs(dx) > abs(dy) ? (h.0 - f.0 * v) / dx : (h.1 - f.1 * v) / dy
            if u.isFinite, u >= -tolerance, u <= 1 + tolerance { return (min(1, max(0, u)), min(1, max(0, v))) }
        }
        return nil
    }
}

/// Quadrilaterals of an extended geolocation grid by longitude/latitude bucket (CSR layout).
private struct BucketIndex: Sendable {
    let columns: Int, rows: Int
    let lonStep: Double, latStep: Double, latOrigin: Double
    let starts: [Int32]
    let quads: [Int32]

    /// `width` × `height` quadrilaterals over an extended grid of row length `extendedWidth`.
    init(width: Int, height: Int, extendedWidth stride: Int, lon: [Double], lat: [Double]) {
        // Per quadrilateral: its unwrapped longitude range and latitude range (nil with a NaN corner).
        var boxes: [(Double, Double, Double, Double)?] = []
        boxes.reserveCapacity(width * height)
        var latSpans: [Double] = []
        for j in 0..<height {
            for i in 0..<width {
                let ks = [j * stride + i, j * stride + i + 1, (j + 1) * stride + i, (j + 1) * stride + i + 1]
                guard ks.allSatisfy({ lon[$0].isFinite && lat[$0].isFinite }) else { boxes.append(nil); continue }
                let reference = lon[ks[0]]
                let xs = ks.map { Geolocation.unwrap(lon[$0], near: reference) }, ys = ks.map { lat[$0] }
                let box = (xs.min()!, xs.max()!, ys.min()!, ys.max()!)
                boxes.append(box)
                if (j * width + i) % 7 == 0 { latSpans.append(box.3 - box.2) }
            }
        }
        latSpans.sort()
        let typical = latSpans.isEmpty ? 1 : max(latSpans[latSpans.count / 2], 1e-6)
        let step = min(10, max(typical * 2, 360.0 / 8192))
        let validLats = boxes.compactMap { $0 }
        let south = max(-90, (validLats.map(\.2).min() ?? -90) - step), north = min(90, (validLats.map(\.3).max() ?? 90) + step)
        let columns = max(1, Int((360 / step).rounded(.up)))
        let lonStep = 360 / Double(columns)
        let rows = max(1, Int(((north - south) / step).rounded(.up)) + 1)
        (self.columns, self.rows, self.lonStep, self.latStep, self.latOrigin) = (columns, rows, lonStep, step, south)
        // Two passes: count, then fill.
        var counts = [Int32](repeating: 0, count: columns * rows + 1)
        func visit(_ box: (Double, Double, Double, Double), _ body: (Int) -> Void) {
            let r0 = max(0, Int(((box.2 - south) / step).rounded(.down))), r1 = min(rows - 1, Int(((box.3 - south) / step).rounded(.down)))
            let c0 = Int(((box.0 + 180) / lonStep).rounded(.down)), c1 = Int(((box.1 + 180) / lonStep).rounded(.down))
            guard r0 <= r1 else { return }
            let span = min(c1 - c0, columns - 1)
            for r in r0...r1 {
                for c in c0...(c0 + span) {
                    let wrapped = ((c % columns) + columns) % columns
                    body(r * columns + wrapped)
                }
            }
        }
        for box in boxes { if let box { visit(box) { counts[$0 + 1] += 1 } } }
        for k in 1..<counts.count { counts[k] += counts[k - 1] }
        var fill = counts
        var quads = [Int32](repeating: 0, count: Int(counts.last!))
        for (q, box) in boxes.enumerated() {
            guard let box else { continue }
            visit(box) { bucket in
                quads[Int(fill[bucket])] = Int32(q)
                fill[bucket] += 1
            }
        }
        starts = counts
        self.quads = quads
    }

    /// The quadrilaterals whose box holds the bucket of the point, in grid order.
    func candidates(longitude: Double, latitude: Double) -> ArraySlice<Int32> {
        var x = (longitude + 180).truncatingRemainder(dividingBy: 360)
        if x < 0 { x += 360 }
        let c = min(columns - 1, Int(x / lonStep)), r = Int(((latitude - latOrigin) / latStep).rounded(.down))
        guard r >= 0, r < rows else { return quads[0..<0] }
        let bucket = r * columns + c
        return quads[Int(starts[bucket])..<Int(starts[bucket + 1])]
    }
}
