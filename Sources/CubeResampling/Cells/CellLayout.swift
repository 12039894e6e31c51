public import CubeCore
import CubeGaussianGrid
import CubeHEALPix
import Foundation
import Synchronization

/// The geometry of a cell grid as resampling needs it: the cell holding a point, the four-cell
/// interpolation stencil, and the exact cross-sections of the cells along a parallel.
///
/// Area methods integrate over `z = sin(latitude)` and longitude, where area on the sphere is
/// `dz·dλ`. A cell grid's layout along a parallel only changes at its strip breaks (HEALPix: the
/// ring latitudes, where every cell vertex lies; reduced Gaussian: the row bounds), and between two
/// breaks a cell's cross-section length is linear in `z` (HEALPix equatorial belt, Gaussian rows) or
/// in the distance from the pole `F = Nside·√(3(1−|z|))` (HEALPix polar caps). One node per strip,
/// at the midpoint in `z` or in `F`, with the strip's `Δz` as weight, so integrates each cell's area
/// exactly (`integrationNode`).
public struct CellLayout: Sendable {
    /// The grid described.
    public let geometry: CellGridGeometry
    let kind: Kind

    enum Kind: Sendable {
        case healpix(HEALPixCells, ringZ: [Double])
        /// The grid and the `z` bounds of its rows, north to south (`rows + 1` values, 1 … −1): row
        /// `r` covers `zBounds[r+1] … zBounds[r]`, its area share the Gaussian weight of the row.
        case gaussian(ReducedGaussianGrid, zBounds: [Double])
    }

    private static let cache = Mutex<[CellGridGeometry: CellLayout]>([:])

    /// The layout of `geometry` (made once per process and grid).
    /// - Throws: `CubeError` for a grid its geometry module rejects (a bad Nside or row list).
    public static func of(_ geometry: CellGridGeometry) throws -> CellLayout {
        if let hit = cache.withLock({ $0[geometry] }) { return hit }
        let layout = try CellLayout(geometry)
        cache.withLock { $0[geometry] = layout }
        return layout
    }

    private init(_ geometry: CellGridGeometry) throws {
        self.geometry = geometry
        switch geometry {
        case let .healpix(nside, nested):
            let grid: HEALPixGrid
            do {
                grid = try HEALPixGrid(nside: nside, ordering: nested ? .nested : .ring)
            } catch {
                throw CubeError(.invalidInput, "HEALPix Nside \(nside): \(error)")
            }
            kind = .healpix(HEALPixCells(grid: grid), ringZ: (1...grid.ringCount).map { grid.ring($0).z })
        case let .reducedGaussian(n, rows):
            let grid: ReducedGaussianGrid
            do {
                grid = try ReducedGaussianGrid(n: n, pointsPerRow: rows)
            } catch {
                throw CubeError(.invalidInput, "reduced Gaussian grid N\(n): \(error)")
            }
            var bounds = [1.0]
            for w in grid.latitudes.weights { bounds.append(bounds[bounds.count - 1] - w) }
            bounds[bounds.count - 1] = -1
            kind = .gaussian(grid, zBounds: bounds)
        }
    }

    /// The number of cells.
    public var count: Int { geometry.count }

    /// The cell holding the point (degrees).
    public func nearest(longitude: Double, latitude: Double) -> Int {
        switch kind {
        case let .healpix(cells, _): return cells.nearest(longitude: longitude, latitude: latitude)
        case let .gaussian(grid, _): return grid.nearest(latitude: latitude, longitude: longitude)
        }
    }

    /// The four cells and weights of the bilinear stencil at the point (degrees): healpy's
    /// `get_interp_weights` on HEALPix; linear along and between the two bracketing rows on a
    /// reduced Gaussian grid.
    public func stencil(longitude: Double, latitude: Double) -> (cells: SIMD4<Int>, weights: SIMD4<Double>) {
        switch kind {
        case let .healpix(cells, _):
            let s = cells.stencil(longitude: longitude, latitude: latitude)
            return (s.pixels, s.weights)
        case let .gaussian(grid, _):
            let s = grid.linearStencil(latitude: latitude, longitude: longitude)
            return (s.points, s.weights)
        }
    }

    /// The `z` values strictly between `low` and `high` where the cell layout along a parallel
    /// changes, ascending, with `low` and `high` themselves first and last.
    public func stripBreaks(low: Double, high: Double) -> [Double] {
        var breaks: [Double] = []
        stripBreaks(low: low, high: high, into: &breaks)
        return breaks
    }

    /// `stripBreaks(low:high:)` into a reused buffer (emptied first).
    public func stripBreaks(low: Double, high: Double, into breaks: inout [Double]) {
        breaks.removeAll(keepingCapacity: true)
        breaks.append(low)
        let inner: [Double]
        switch kind {
        case let .healpix(_, ringZ): inner = ringZ   // descending
        case let .gaussian(_, zBounds): inner = zBounds   // descending
        }
        // The last index with a value > low (descending array), then walk up while < high.
        var lo = 0, hi = inner.count
        while lo < hi {
            let mid = (lo + hi) / 2
            if inner[mid] > low { lo = mid + 1 } else { hi = mid }
        }
        var i = lo - 1
        while i >= 0, inner[i] < high {
            breaks.append(inner[i])
            i -= 1
        }
        breaks.append(high)
    }

    /// The node of the one-point rule that integrates a cell's cross-section exactly over a strip
    /// `low … high` lying between two consecutive breaks (its weight is `high − low`).
    public func integrationNode(low: Double, high: Double) -> Double {
        guard case let .healpix(cells, _) = kind else { return (low + high) / 2 }
        let middle = (low + high) / 2
        guard abs(middle) > 2.0 / 3.0 else { return middle }
        let n = Double(cells.grid.nside)
        let sign: Double = middle > 0 ? 1 : -1
        func distance(_ z: Double) -> Double { n * (3 * max(0, 1 - abs(z))).squareRoot() }
        let f = (distance(low) + distance(high)) / 2
        return sign * (1 - f * f / (3 * n * n))
    }

    /// Appends, for the parallel at `z`, each cell the longitudes `west … east` (radians, `east −
    /// west ≤ 2π`) cross and the longitude length of the crossing (radians); the lengths sum to
    /// `east − west`. A cell may appear more than once.
    public func crossings(z: Double, west: Double, east: Double, into out: inout [(cell: Int, length: Double)]) {
        var scratch: [Double] = []
        crossings(z: z, west: west, east: east, into: &out, scratch: &scratch)
    }

    /// `crossings(z:west:east:into:)` with a reused buffer for the break longitudes.
    public func crossings(z: Double, west: Double, east: Double, into out: inout [(cell: Int, length: Double)],
                          scratch breaks: inout [Double]) {
        guard east > west else { return }
        breaks.removeAll(keepingCapacity: true)
        breaks.append(west)
        let latitude = asin(min(1, max(-1, z))) * 180 / Double.pi
        switch kind {
        case let .healpix(cells, _):
            let n = Double(cells.grid.nside)
            let quarter = Double.pi / 2
            let t0 = west / quarter, t1 = east / quarter
            @inline(__always) func add(_ t: Double) { if t > t0 && t < t1 { breaks.append(t * quarter) } }
            if abs(z) <= 2.0 / 3.0 {
                // The edge lines Nside·(½ + t) ∓ ¾·Nside·z = k (Górski et al. 2005, eq. 9).
                for family in 0..<2 {
                    let shift = family == 0 ? 0.75 * n * z : -0.75 * n * z
                    let kLow = (n * (t0 + 0.5) - shift).rounded(.up), kHigh = (n * (t1 + 0.5) - shift).rounded(.down)
                    var k = kLow
                    while k <= kHigh {
                        add((k + shift) / n - 0.5)
                        k += 1
                    }
                }
            } else {
                // In the caps each quarter splits at within = k/F and 1 − k/F, F the distance from the pole.
                let f = n * (3 * (1 - abs(z))).squareRoot()
                let steps = Int(f.rounded(.down))
                for q in Int(t0.rounded(.down))...Int(t1.rounded(.down)) {
                    let base = Double(q)
                    add(base)
                    if steps >= 1 {
                        for k in 1...steps {
                            add(base + Double(k) / f)
                            add(base + 1 - Double(k) / f)
                        }
                    }
                }
            }
            breaks.append(east)
            breaks.sort()
            for k in 0..<(breaks.count - 1) where breaks[k + 1] > breaks[k] {
                let middle = (breaks[k] + breaks[k + 1]) / 2 * 180 / Double.pi
                out.append((cells.nearest(longitude: middle, latitude: latitude), breaks[k + 1] - breaks[k]))
            }
        case let .gaussian(grid, zBounds):
            // The row whose bounds hold z: zBounds[r+1] ≤ z < zBounds[r] (descending).
            var lo = 0, hi = grid.rowCount - 1
            while lo < hi {
                let mid = (lo + hi) / 2
                if zBounds[mid + 1] > z { lo = mid + 1 } else { hi = mid }
            }
            let row = lo, count = grid.pointsPerRow[row]
            let spacing = 2 * Double.pi / Double(count)
            // Cell k spans (k − ½ … k + ½)·spacing.
            var k = Int((west / spacing + 0.5).rounded(.down))
            var start = west
            while start < east {
                let end = min(east, (Double(k) + 0.5) * spacing)
                if end > start {
                    var m = k % count
                    if m < 0 { m += count }
                    out.append((grid.rowStarts[row] + m, end - start))
                }
                start = max(start, end)
                k += 1
            }
        }
    }
}
