import Foundation

extension HEALPixGrid {
    /// The pixel containing the direction of colatitude `theta` and longitude `phi` (radians).
    ///
    /// `theta` is in `[0, π]`; `phi` may be any finite value (taken modulo 2π). Near the poles
    /// (θ < 0.01 or θ > π − 0.01) `sin θ` is used alongside `cos θ`, so tiny polar pixels are still
    /// resolved exactly, as in the HEALPix reference implementation.
    ///
    /// - Precondition: `0 ≤ theta ≤ π` (so latitudes in `[-90, 90]` for the degree variant).
    public func pixel(colatitude theta: Double, longitude phi: Double) -> Int {
        precondition(theta >= 0 && theta <= Double.pi, "colatitude \(theta) outside [0, π]")
        let nearPole = theta < 0.01 || theta > 3.14159 - 0.01
        return pixel(z: cos(theta), phi: phi, sinTheta: nearPole ? sin(theta) : nil)
    }

    /// The pixel containing the point at `latitude`, `longitude` (degrees).
    ///
    /// Converted as `θ = π/2 − latitude·π/180`, `φ = longitude·π/180`, the same conversion as healpy's
    /// `lonlat=True`.
    public func pixel(latitude: Double, longitude: Double) -> Int {
        pixel(colatitude: HEALPixAngles.colatitude(latitude: latitude),
              longitude: HEALPixAngles.radians(longitude))
    }

    /// The pixel containing the direction `(z = cos θ, φ)`; `sinTheta` when known near the poles.
    ///
    /// Equatorial belt (`|z| ≤ 2/3`): the point's ascending and descending edge-line indices
    /// `Nside·(½ + 2φ/π ∓ ¾z)` give the face and the pixel. Polar caps: the distance from the pole,
    /// `Nside·√(3(1−|z|))`, split by the longitude inside the quarter (Górski et al. 2005, eqs. 4–12).
    func pixel(z: Double, phi: Double, sinTheta: Double?) -> Int {
        let n = nside
        let za = abs(z)
        let tt = HEALPixAngles.quarterTurns(phi)   // φ / (π/2) in [0, 4)
        if za <= 2.0 / 3.0 {
            let centre = Double(n) * (0.5 + tt), slope = Double(n) * (z * 0.75)
            let ascending = Int(centre - slope), descending = Int(centre + slope)
            if ordering == .ring {
                let ringFromCap = n + 1 + ascending - descending    // 1 … 2n+1, counted from z = 2/3
                let unshifted = 1 - (ringFromCap & 1)
                let k = ((ascending + descending - n + unshifted + 1 + 8 * n) >> 1) % (4 * n)
                return capPixels + (ringFromCap - 1) * 4 * n + k
            }
            let face = equatorialFace(ascending: ascending, descending: descending)
            let x = descending & (n - 1), y = n - (ascending & (n - 1)) - 1
            return FacePixel(face: face, x: x, y: y).nestedIndex(order: powerOfTwoOrder)
        }
        let quarter = min(3, Int(tt))
        let within = tt - Double(quarter)
        let fromPole: Double
        if let sinTheta, za >= 0.99 {
            fromPole = Double(n) * sinTheta / ((1 + za) / 3).squareRoot()
        } else {
            fromPole = Double(n) * (3 * (1 - za)).squareRoot()
        }
        let ascending = Int(within * fromPole), descending = Int((1 - within) * fromPole)
        if ordering == .ring {
            let i = ascending + descending + 1    // ring counted from the nearer pole
            let k = Int(tt * Double(i))
            return z > 0 ? 2 * i * (i - 1) + k : pixelCount - 2 * i * (i + 1) + k
        }
        let a = min(ascending, n - 1), d = min(descending, n - 1)
        let pixel = z >= 0 ? FacePixel(face: quarter, x: n - d - 1, y: n - a - 1)
                           : FacePixel(face: quarter + 8, x: a, y: d)
        return pixel.nestedIndex(order: powerOfTwoOrder)
    }

    /// The centre of pixel `p` as colatitude θ and longitude φ in `[0, 2π)`, radians.
    ///
    /// - Precondition: `0 ≤ p < pixelCount`.
    public func centre(of p: Int) -> (colatitude: Double, longitude: Double) {
        precondition(contains(p), "HEALPix pixel \(p) outside 0..<\(pixelCount)")
        let ring: Int, t: Int, quarter: Int
        if ordering == .ring {
            let (i, k) = ringPosition(ofRingPixel: p)
            let geometry = ringGeometry(i)
            (ring, t, quarter) = (i, 2 * k + (geometry.shifted ? 1 : 0), geometry.quarter)
        } else {
            let f = FacePixel(nestedIndex: p, order: powerOfTwoOrder)
            ring = FacePixel.cornerRing(f.face) * nside - f.x - f.y - 1
            quarter = ringGeometry(ring).quarter
            var u = FacePixel.centreColumn(f.face) * quarter + f.x - f.y
            if u < 0 { u += 8 * quarter }
            t = u
        }
        return (ringColatitude(ring), Double(t) * (0.25 * Double.pi) / Double(quarter))
    }

    /// The centre of pixel `p` as latitude and longitude in degrees (longitude in `[0, 360)`).
    public func centreLatLon(of p: Int) -> (latitude: Double, longitude: Double) {
        let (theta, phi) = centre(of: p)
        return (90 - HEALPixAngles.degrees(theta), HEALPixAngles.degrees(phi))
    }
}

/// Angle conversions shared by the grid's methods, written once so every entry point agrees.
enum HEALPixAngles {
    /// Degrees to radians as numpy's `radians`: `x·(π/180)`.
    static func radians(_ degrees: Double) -> Double { degrees * (Double.pi / 180) }

    /// Radians to degrees as numpy's `degrees`: `x·(180/π)`.
    static func degrees(_ radians: Double) -> Double { radians * (180 / Double.pi) }

    /// Colatitude θ (radians) of a latitude in degrees, `π/2 − latitude·π/180`.
    static func colatitude(latitude: Double) -> Double { Double.pi / 2 - radians(latitude) }

    /// `φ / (π/2)` reduced to `[0, 4)`.
    static func quarterTurns(_ phi: Double) -> Double { reduce(phi * 0.63661977236758134308, modulo: 4) }

    /// `v` reduced to `[0, m)`: unchanged when already there, else through `fmod` (a negative
    /// remainder that rounds up to `m` becomes 0).
    /// One period either way is a plain subtraction/addition, equal to the `fmod` result there
    /// (`fmod(v, m) = v − m` exactly for `m ≤ v < 2m`; `fmod(v, m) = v` for `−m < v < 0`).
    static func reduce(_ v: Double, modulo m: Double) -> Double {
        if v >= 0 {
            if v < m { return v }
            return v < 2 * m ? v - m : fmod(v, m)
        }
        let r = (v > -m ? v : fmod(v, m)) + m
        return r == m ? 0 : r
    }
}
