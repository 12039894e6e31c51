import Foundation

extension HEALPixGrid {
    /// Points along the boundary of pixel `p`: `4·step` unit vectors, starting at the north corner and
    /// going north → west → south → east, `step` points per edge (the first of each edge is its corner).
    ///
    /// With `step = 1` these are the four corners N, W, S, E. Same points and order as healpy's
    /// `boundaries(nside, p, step)`. Edges are lines of constant face coordinate, so the points lie on
    /// the true (curved) pixel boundary.
    ///
    /// - Precondition: `0 ≤ p < pixelCount`, `step ≥ 1`.
    public func boundaries(of p: Int, step: Int = 1) -> [SphereVector] {
        precondition(contains(p), "HEALPix pixel \(p) outside 0..<\(pixelCount)")
        precondition(step >= 1, "boundary step must be at least 1")
        let f = facePixel(of: p)
        let n = Double(nside)
        let half = 0.5 / n
        let xc = (Double(f.x) + 0.5) / n, yc = (Double(f.y) + 0.5) / n
        let d = 1.0 / (Double(step) * n)
        var points = [SphereVector](repeating: SphereVector(x: 0, y: 0, z: 0), count: 4 * step)
        for i in 0..<step {
            let s = Double(i) * d
            points[i] = facePoint(x: xc + half - s, y: yc + half, face: f.face)
            points[i + step] = facePoint(x: xc - half, y: yc + half - s, face: f.face)
            points[i + 2 * step] = facePoint(x: xc - half + s, y: yc - half, face: f.face)
            points[i + 3 * step] = facePoint(x: xc + half, y: yc - half + s, face: f.face)
        }
        return points
    }

    /// The four corners of pixel `p` (north, west, south, east) without allocating.
    public func corners(of p: Int) -> (north: SphereVector, west: SphereVector, south: SphereVector, east: SphereVector) {
        precondition(contains(p), "HEALPix pixel \(p) outside 0..<\(pixelCount)")
        let f = facePixel(of: p)
        let n = Double(nside)
        let x0 = Double(f.x) / n, x1 = Double(f.x + 1) / n, y0 = Double(f.y) / n, y1 = Double(f.y + 1) / n
        return (facePoint(x: x1, y: y1, face: f.face), facePoint(x: x0, y: y1, face: f.face),
                facePoint(x: x0, y: y0, face: f.face), facePoint(x: x1, y: y0, face: f.face))
    }

    /// The direction of continuous face coordinates `(x, y)` in `[0, 1]²` on base face `face`.
    ///
    /// `jr = cornerRing − x − y` is the distance from the north pole in units of `Nside` rings: below 1
    /// the point is in the north cap (`z = 1 − jr²/3`), above 3 in the south cap, else on the belt.
    func facePoint(x: Double, y: Double, face: Int) -> SphereVector {
        let jr = Double(FacePixel.cornerRing(face)) - x - y
        let nr: Double, z: Double
        var sinTheta: Double?
        if jr < 1 {
            nr = jr
            let t = nr * nr / 3
            z = 1 - t
            if z > 0.99 { sinTheta = (t * (2 - t)).squareRoot() }
        } else if jr > 3 {
            nr = 4 - jr
            let t = nr * nr / 3
            z = t - 1
            if z < -0.99 { sinTheta = (t * (2 - t)).squareRoot() }
        } else {
            nr = 1
            z = (2 - jr) * 2 / 3
        }
        var t = Double(FacePixel.centreColumn(face)) * nr + x - y
        if t < 0 { t += 8 }
        if t >= 8 { t -= 8 }
        let phi = nr < 1e-15 ? 0 : (0.25 * Double.pi * t) / nr
        return SphereVector(z: z, phi: phi, sinTheta: sinTheta)
    }
}
