public import CubeCore
import Foundation

extension ResamplingWeights {
    /// Precomputes `method` for `source`, whatever its kind: a cell grid through its `CellLayout`,
    /// a raster (regular or curvilinear) through the pixel-index kernels.
    /// - Parameters:
    ///   - centres: The mapping of the region's pixel centres (interpolation methods).
    ///   - corners: The mapping of its pixel corners (area methods).
    /// - Throws: `CubeError` when a cell grid's definition is invalid.
    public init(_ method: ResamplingMethod, source: SourceGrid, centres: PixelMapping?, corners: PixelMapping?,
                window: SourceWindowBounds) throws {
        if let cells = source.cells {
            let layout = try CellLayout.of(cells)
            if method.isArea {
                self = ResamplingWeights(cellArea: method, corners: corners!, layout: layout, window: window)
            } else {
                self = ResamplingWeights(cells: method, centres: centres!, layout: layout, window: window)
            }
        } else if method.isArea {
            self = ResamplingWeights(area: method, corners: corners!, latitudes: source.isGeographic ? source.y : nil, window: window)
        } else {
            self = ResamplingWeights(method, mapping: centres!, window: window)
        }
    }

    /// Interpolation weights on a cell grid: `nearest` (the cell holding the pixel centre) or
    /// `bilinear` (the layout's four-cell stencil). The separable kernels (`cubic`, `cubic_spline`,
    /// `lanczos`) have no cell-grid form and fall back to `bilinear`.
    /// - Precondition: `centres` maps pixel centres to longitude/latitude (`isCellGrid`).
    public init(cells method: ResamplingMethod, centres: PixelMapping, layout: CellLayout, window: SourceWindowBounds) {
        precondition(centres.isCellGrid, "a cell-grid kernel needs a cell-grid mapping")
        let n = centres.width * centres.height
        let first = window.firstColumn, held = window.columnCount
        @inline(__always) func local(_ cell: Int) -> Int32 {
            let i = cell - first
            return i >= 0 && i < held ? Int32(i) : -1
        }
        if method == .nearest {
            var indices = [Int32](repeating: -1, count: n)
            for k in 0..<n {
                let lon = centres.column[k], lat = centres.row[k]
                guard lon.isFinite, lat.isFinite else { continue }
                indices[k] = local(layout.nearest(longitude: lon, latitude: lat))
            }
            self.init(taps: 1, offsets: [], indices: indices, weights: [Float](repeating: 1, count: n))
            return
        }
        var indices = [Int32](repeating: -1, count: 4 * n)
        var weights = [Float](repeating: 0, count: 4 * n)
        for k in 0..<n {
            let lon = centres.column[k], lat = centres.row[k]
            guard lon.isFinite, lat.isFinite else { continue }
            let s = layout.stencil(longitude: lon, latitude: lat)
            for t in 0..<4 {
                indices[4 * k + t] = local(s.cells[t])
                weights[4 * k + t] = Float(s.weights[t])
            }
        }
        self.init(taps: 4, offsets: [], indices: indices, weights: weights)
    }

    /// Area weights on a cell grid: each target pixel's footprint is the longitude/latitude box of
    /// its four mapped corners (exact for a geographic target, whose pixels are such boxes), and a
    /// cell's weight is the area on the sphere of its overlap with the box, integrated over
    /// `z = sin(latitude)` strip by strip (`CellLayout.crossings` along one parallel per strip, at
    /// `integrationNode`). Every method weighs by this true area (`average` and `conservative`
    /// alike); the weights of a pixel sum to its area exactly, and those of a cell over a global
    /// target to the cell's area, so `conservative` preserves the area integral.
    /// - Precondition: `corners` maps pixel corners to longitude/latitude (`isCellGrid`).
    public init(cellArea method: ResamplingMethod, corners: PixelMapping, layout: CellLayout, window: SourceWindowBounds) {
        precondition(method.isArea, "\(method) is not an area method")
        precondition(corners.isCellGrid, "a cell-grid kernel needs a cell-grid mapping")
        let width = corners.width - 1, height = corners.height - 1
        let first = window.firstColumn, held = window.columnCount
        var offsets: [Int32] = [0]
        offsets.reserveCapacity(width * height + 1)
        var indices: [Int32] = [], weights: [Float] = []
        var pieces: [(cell: Int, length: Double)] = []
        var weighted: [(cell: Int, weight: Double)] = []
        var breaks: [Double] = [], scratch: [Double] = []
        let degree = Double.pi / 180
        for j in 0..<height {
            for i in 0..<width {
                let a = j * corners.width + i, b = a + 1, c = a + corners.width, d = c + 1
                var lon0 = corners.column[a], lon1 = corners.column[b], lon2 = corners.column[c], lon3 = corners.column[d]
                let lat0 = corners.row[a], lat1 = corners.row[b], lat2 = corners.row[c], lat3 = corners.row[d]
                guard lon0.isFinite, lon1.isFinite, lon2.isFinite, lon3.isFinite,
                      lat0.isFinite, lat1.isFinite, lat2.isFinite, lat3.isFinite else {
                    offsets.append(Int32(indices.count))
                    continue
                }
                // Corners on both sides of the antimeridian: bring the western ones east.
                if max(lon0, lon1, lon2, lon3) - min(lon0, lon1, lon2, lon3) > 180 {
                    if lon0 < 0 { lon0 += 360 }
                    if lon1 < 0 { lon1 += 360 }
                    if lon2 < 0 { lon2 += 360 }
                    if lon3 < 0 { lon3 += 360 }
                }
                let lonMin = min(lon0, lon1, lon2, lon3), lonMax = max(lon0, lon1, lon2, lon3)
                let west = lonMin * degree, east = min(lonMax, lonMin + 360) * degree
                let south = sin(max(-90, min(lat0, lat1, lat2, lat3)) * degree), north = sin(min(90, max(lat0, lat1, lat2, lat3)) * degree)
                guard east > west, north > south else {
                    offsets.append(Int32(indices.count))
                    continue
                }
                weighted.removeAll(keepingCapacity: true)
                layout.stripBreaks(low: south, high: north, into: &breaks)
                for s in 0..<(breaks.count - 1) where breaks[s + 1] > breaks[s] {
                    let dz = breaks[s + 1] - breaks[s]
                    pieces.removeAll(keepingCapacity: true)
                    layout.crossings(z: layout.integrationNode(low: breaks[s], high: breaks[s + 1]), west: west, east: east,
                                     into: &pieces, scratch: &scratch)
                    for piece in pieces { weighted.append((piece.cell, piece.length * dz)) }
                }
                weighted.sort { $0.cell < $1.cell }
                var k = 0
                while k < weighted.count {
                    let cell = weighted[k].cell
                    var total = 0.0
                    while k < weighted.count, weighted[k].cell == cell {
                        total += weighted[k].weight
                        k += 1
                    }
                    let local = cell - first
                    guard local >= 0, local < held, total > 0 else { continue }
                    indices.append(Int32(local))
                    weights.append(Float(total))
                }
                offsets.append(Int32(indices.count))
            }
        }
        self.init(taps: 0, offsets: offsets, indices: indices, weights: weights, reduction: AreaReduction(method))
    }
}
