import Foundation

/// One iso-latitude ring of a HEALPix grid, in ring-ordering terms.
///
/// Rings are numbered `1 … 4·Nside−1` from the north pole. Ring `i` holds `4·min(i, Nside, 4·Nside−i)`
/// pixels, equally spaced in longitude; the first pixel's centre is at longitude 0 (not shifted) or at
/// half a pixel width (shifted): all polar rings are shifted, equatorial rings alternate.
public struct HEALPixRing: Sendable, Hashable {
    /// The ring number, `1 … 4·Nside−1` from the north pole.
    public let index: Int
    /// The ring-ordering index of the ring's first (westernmost from longitude 0) pixel.
    public let firstPixel: Int
    /// The number of pixels in the ring.
    public let pixelCount: Int
    /// Whether pixel centres sit at `(k + ½)·2π/pixelCount` (true) or at `k·2π/pixelCount` (false).
    public let isShifted: Bool
    /// `cos θ` of the ring's pixel centres.
    public let z: Double
    /// The colatitude θ of the ring's pixel centres, radians.
    public let colatitude: Double

    /// The latitude of the ring's pixel centres, degrees.
    public var latitude: Double { 90 - colatitude * (180 / Double.pi) }

    /// The ring-ordering pixel indices of the ring.
    public var pixels: Range<Int> { firstPixel ..< firstPixel + pixelCount }

    /// The longitude of the centre of the `k`-th pixel of the ring (`0 ≤ k < pixelCount`), radians.
    public func longitude(ofPixelAt k: Int) -> Double {
        (Double(k) + (isShifted ? 0.5 : 0)) * (2 * Double.pi / Double(pixelCount))
    }
}

extension HEALPixGrid {
    /// The ring number `i` (1-based from the north pole).
    ///
    /// - Precondition: `1 ≤ i ≤ ringCount`.
    public func ring(_ i: Int) -> HEALPixRing {
        precondition(i >= 1 && i <= ringCount, "HEALPix ring \(i) outside 1…\(ringCount)")
        let geometry = ringGeometry(i)
        return HEALPixRing(index: i, firstPixel: geometry.first, pixelCount: 4 * geometry.quarter,
                           isShifted: geometry.shifted, z: ringZ(i), colatitude: ringColatitude(i))
    }

    /// First ring-ordering pixel, pixels per quarter (`nr`) and shift of ring `i`, all integer.
    func ringGeometry(_ i: Int) -> (first: Int, quarter: Int, shifted: Bool) {
        if i < nside {
            return (2 * i * (i - 1), i, true)
        } else if i <= 3 * nside {
            return (capPixels + (i - nside) * 4 * nside, nside, (i - nside) & 1 == 0)
        } else {
            let r = 4 * nside - i
            return (pixelCount - 2 * r * (r + 1), r, true)
        }
    }

    /// `cos θ` of ring `i`: `1 − i²/(3·Nside²)` in the north cap, linear in `i` on the equatorial belt.
    func ringZ(_ i: Int) -> Double {
        if i < nside {
            return 1 - Double(i * i) * polarFactor
        } else if i <= 3 * nside {
            return Double(2 * nside - i) * equatorialFactor
        } else {
            let r = 4 * nside - i
            return Double(r * r) * polarFactor - 1
        }
    }

    /// θ of ring `i`; in the caps through `atan2(sin θ, cos θ)` with `sin θ` from `1 − z` exactly, so
    /// rings near the poles keep full relative precision. Southern rings are `π − θ` of their northern
    /// mirror, so the two hemispheres are exactly symmetric (as in the HEALPix library).
    func ringColatitude(_ i: Int) -> Double {
        ringColatitudes.isEmpty ? computedRingColatitude(i) : ringColatitudes[i]
    }

    /// `ringColatitude` computed rather than looked up.
    func computedRingColatitude(_ i: Int) -> Double {
        let north = i > 2 * nside ? 4 * nside - i : i
        let theta: Double
        if north < nside {
            let t = Double(north * north) * polarFactor
            theta = atan2((t * (2 - t)).squareRoot(), 1 - t)
        } else {
            theta = acos(Double(2 * nside - north) * equatorialFactor)
        }
        return north == i ? theta : Double.pi - theta
    }

    /// The ring holding ring-ordering pixel `p` and the pixel's position in it (0-based).
    func ringPosition(ofRingPixel p: Int) -> (ring: Int, position: Int) {
        if p < capPixels {
            let i = (1 + isqrt(1 + 2 * p)) >> 1
            return (i, p - 2 * i * (i - 1))
        } else if p < pixelCount - capPixels {
            let q = p - capPixels
            let row = q / (4 * nside)
            return (nside + row, q - row * 4 * nside)
        } else {
            let q = pixelCount - p
            let r = (1 + isqrt(2 * q - 1)) >> 1
            return (4 * nside - r, p - (pixelCount - 2 * r * (r + 1)))
        }
    }
}

/// ⌊√v⌋ for `v ≥ 0`, exact for every 64-bit value a HEALPix index needs.
func isqrt(_ v: Int) -> Int {
    var r = Int(Double(v).squareRoot())
    while r * r > v { r -= 1 }
    while (r + 1) * (r + 1) <= v { r += 1 }
    return r
}
