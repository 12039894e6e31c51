import Foundation

extension HEALPixGrid {
    /// The bilinear interpolation stencil at colatitude `theta`, longitude `phi` (radians), equal to
    /// healpy's `get_interp_weights(nside, theta, phi)` in this grid's ordering.
    ///
    /// The point lies between ring `i` (above) and `i+1` (below). On each ring the two pixels whose
    /// centres bracket `phi` get weights linear in longitude; the rings are then weighted linearly in θ.
    /// North of the first ring the missing ring is replaced by the pole, whose value is the mean of the
    /// first ring's four pixels (weight `(1 − θ/θ₁)/4` each); likewise south of the last ring.
    ///
    /// - Precondition: `0 ≤ theta ≤ π`; `phi` any finite value (reduced to `[0, 2π)` first).
    public func interpolationStencil(colatitude theta: Double, longitude phi: Double) -> HEALPixStencil {
        precondition(theta >= 0 && theta <= Double.pi, "colatitude \(theta) outside [0, π]")
        let phi = HEALPixAngles.reduce(phi, modulo: 2 * Double.pi)
        let z = cos(theta)
        let above = ringAbove(z: z)
        let below = above + 1
        // Ring and position of each pixel first; indices in the grid's ordering at the end.
        var rings = SIMD4<Int>(above, above, below, below)
        var positions = SIMD4<Int>(repeating: 0)
        var weights = SIMD4<Double>(repeating: 0)
        var thetaAbove = 0.0, thetaBelow = 0.0
        if above > 0 {
            thetaAbove = ringColatitude(above)
            let (k0, k1, w) = bracket(ring: above, phi: phi)
            positions[0] = k0; positions[1] = k1
            weights[0] = 1 - w; weights[1] = w
        }
        if below < 4 * nside {
            thetaBelow = ringColatitude(below)
            let (k0, k1, w) = bracket(ring: below, phi: phi)
            positions[2] = k0; positions[3] = k1
            weights[2] = 1 - w; weights[3] = w
        }
        if above == 0 {
            // North of ring 1: the pole's value is the mean of ring 1, i.e. of the pixels below and the
            // two opposite them (ring 1 has four pixels, 0…3).
            let wTheta = theta / thetaBelow
            weights[2] *= wTheta; weights[3] *= wTheta
            let share = (1 - wTheta) * 0.25
            weights[0] = share; weights[1] = share; weights[2] += share; weights[3] += share
            rings[0] = 1; rings[1] = 1
            positions[0] = (positions[2] + 2) & 3
            positions[1] = (positions[3] + 2) & 3
        } else if below == 4 * nside {
            let wTheta = (theta - thetaAbove) / (Double.pi - thetaAbove)
            weights[0] *= 1 - wTheta; weights[1] *= 1 - wTheta
            let share = wTheta * 0.25
            weights[0] += share; weights[1] += share; weights[2] = share; weights[3] = share
            rings[2] = above; rings[3] = above
            positions[2] = (positions[0] + 2) & 3
            positions[3] = (positions[1] + 2) & 3
        } else {
            let wTheta = (theta - thetaAbove) / (thetaBelow - thetaAbove)
            weights[0] *= 1 - wTheta; weights[1] *= 1 - wTheta
            weights[2] *= wTheta; weights[3] *= wTheta
        }
        var pixels = SIMD4<Int>(repeating: 0)
        if ordering == .nested {
            let order = powerOfTwoOrder
            for m in 0..<4 { pixels[m] = facePixel(ring: rings[m], position: positions[m]).nestedIndex(order: order) }
        } else {
            for m in 0..<4 { pixels[m] = ringGeometry(rings[m]).first + positions[m] }
        }
        return HEALPixStencil(pixels: pixels, weights: weights)
    }

    /// The bilinear interpolation stencil at `latitude`, `longitude` (degrees), converted as healpy's
    /// `lonlat=True`.
    public func interpolationStencil(latitude: Double, longitude: Double) -> HEALPixStencil {
        interpolationStencil(colatitude: HEALPixAngles.colatitude(latitude: latitude),
                             longitude: HEALPixAngles.radians(longitude))
    }

    /// The number of the last ring whose centres are north of (or at) `z = cos θ`; 0 north of ring 1.
    func ringAbove(z: Double) -> Int {
        let za = abs(z)
        if za <= 2.0 / 3.0 { return Int(Double(nside) * (2 - 1.5 * z)) }
        let i = Int(Double(nside) * (3 * (1 - za)).squareRoot())
        return z > 0 ? i : 4 * nside - i - 1
    }

    /// The positions in ring `i` of the two pixels whose centres bracket longitude `phi` (in
    /// `[0, 2π)`), west first, and the weight of the eastern one.
    private func bracket(ring i: Int, phi: Double) -> (Int, Int, Double) {
        let count: Int, shifted: Bool
        if i < nside {
            (count, shifted) = (4 * i, true)
        } else if i > 3 * nside {
            (count, shifted) = (4 * (4 * nside - i), true)
        } else {
            (count, shifted) = (4 * nside, (i - nside) & 1 == 0)
        }
        let offset = shifted ? 0.5 : 0
        let spacing = 2 * Double.pi / Double(count)
        let position = phi / spacing - offset
        var west = position < 0 ? Int(position) - 1 : Int(position)
        let w = (phi - (Double(west) + offset) * spacing) / spacing
        var east = west + 1
        if west < 0 { west += count }
        if east >= count { east -= count }
        return (west, east, w)
    }
}
