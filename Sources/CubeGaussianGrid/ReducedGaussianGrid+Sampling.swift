import Foundation

extension ReducedGaussianGrid {
    /// The rows bracketing `latitude`: the last row at or north of it and the first row south of it;
    /// `nil` above the first row or below the last.
    public func bracketingRows(latitude: Double) -> (above: Int?, below: Int?) {
        let lats = latitudes.latitudes
        if latitude >= lats[0] { return (nil, 0) }
        if latitude < lats[lats.count - 1] { return (lats.count - 1, nil) }
        var lo = 0, hi = lats.count - 1   // lats[lo] > latitude ≥ … ; find last row with lat ≥ latitude
        while hi - lo > 1 {
            let mid = (lo + hi) >> 1
            if lats[mid] >= latitude { lo = mid } else { hi = mid }
        }
        return (lo, hi)
    }

    /// The nearest grid point to `latitude`, `longitude` (degrees) by great-circle distance, among the
    /// two points of each bracketing row that enclose the longitude (four candidates, two near the poles).
    public func nearest(latitude: Double, longitude: Double) -> Int {
        let (above, below) = bracketingRows(latitude: latitude)
        var best = -1, bestCos = -2.0
        let phi = latitude * (Double.pi / 180), sinPhi = sin(phi), cosPhi = cos(phi)
        for row in [above, below] {
            guard let row else { continue }
            let pair = enclosing(row: row, longitude: longitude)
            let rowPhi = latitudes.latitudes[row] * (Double.pi / 180)
            for k in [pair.west, pair.east] {
                let dLon = (longitude - self.longitude(row: row, position: k)) * (Double.pi / 180)
                let c = sinPhi * sin(rowPhi) + cosPhi * cos(rowPhi) * cos(dLon)   // cos of the angular distance
                if c > bestCos { bestCos = c; best = rowStarts[row] + k }
            }
        }
        return best
    }

    /// The linear stencil at `latitude`, `longitude` (degrees): linear in longitude between the two
    /// enclosing points of each bracketing row, then linear in latitude between the rows; beyond the
    /// first or last row, that row alone (constant in latitude up to the pole).
    public func linearStencil(latitude: Double, longitude: Double) -> GaussianStencil {
        let (above, below) = bracketingRows(latitude: latitude)
        var points = SIMD4<Int>(repeating: 0), weights = SIMD4<Double>(repeating: 0)
        func fill(_ row: Int, at slot: Int, scale: Double) {
            let pair = enclosing(row: row, longitude: longitude)
            points[slot] = rowStarts[row] + pair.west
            points[slot + 1] = rowStarts[row] + pair.east
            weights[slot] = scale * (1 - pair.eastWeight)
            weights[slot + 1] = scale * pair.eastWeight
        }
        switch (above, below) {
        case let (a?, b?):
            let la = latitudes.latitudes[a], lb = latitudes.latitudes[b]
            let t = (la - latitude) / (la - lb)   // 0 on the row above, 1 on the row below
            fill(a, at: 0, scale: 1 - t)
            fill(b, at: 2, scale: t)
        case let (a?, nil):
            fill(a, at: 0, scale: 1)
            points[2] = points[0]; points[3] = points[1]
        case let (nil, b?):
            fill(b, at: 2, scale: 1)
            points[0] = points[2]; points[1] = points[3]
        case (nil, nil):
            preconditionFailure("a Gaussian grid has at least two rows")
        }
        return GaussianStencil(points: points, weights: weights)
    }

    /// The positions of the two points of `row` whose longitudes enclose `longitude`, and the weight
    /// of the eastern one (linear in longitude).
    func enclosing(row: Int, longitude: Double) -> (west: Int, east: Int, eastWeight: Double) {
        let count = pointsPerRow[row]
        var lon = longitude.truncatingRemainder(dividingBy: 360)
        if lon < 0 { lon += 360 }
        let position = lon * Double(count) / 360
        var west = Int(position.rounded(.down))
        let w = position - Double(west)
        if west >= count { west -= count }
        let east = west + 1 == count ? 0 : west + 1
        return (west, east, w)
    }
}
