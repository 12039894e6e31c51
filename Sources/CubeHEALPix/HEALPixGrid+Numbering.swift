extension HEALPixGrid {
    /// The ring-ordering index of nested pixel `p` (same `nside`).
    ///
    /// - Precondition: `nside` is a power of two and `0 ≤ p < pixelCount`.
    public func ringIndex(fromNested p: Int) -> Int {
        ringPixel(of: FacePixel(nestedIndex: p, order: powerOfTwoOrder))
    }

    /// The nested-ordering index of ring pixel `p` (same `nside`).
    ///
    /// - Precondition: `nside` is a power of two and `0 ≤ p < pixelCount`.
    public func nestedIndex(fromRing p: Int) -> Int {
        facePixel(ofRingPixel: p).nestedIndex(order: powerOfTwoOrder)
    }

    /// `order`, which nested numbering needs.
    var powerOfTwoOrder: Int {
        guard let order else { preconditionFailure("nested numbering needs a power-of-two Nside, not \(nside)") }
        return order
    }

    /// The face coordinates of pixel `p` in this grid's ordering.
    func facePixel(of p: Int) -> FacePixel {
        ordering == .nested ? FacePixel(nestedIndex: p, order: powerOfTwoOrder) : facePixel(ofRingPixel: p)
    }

    /// The index of a face pixel in this grid's ordering.
    func index(of pixel: FacePixel) -> Int {
        ordering == .nested ? pixel.nestedIndex(order: powerOfTwoOrder) : ringPixel(of: pixel)
    }

    /// The ring-ordering index of a face pixel: its ring from `x + y`, its place in the ring from `x − y`.
    func ringPixel(of pixel: FacePixel) -> Int {
        let i = FacePixel.cornerRing(pixel.face) * nside - pixel.x - pixel.y - 1
        let (first, quarter, shifted) = ringGeometry(i)
        // Longitude of the centre in units of π/(4·quarter); pixel k of the ring sits at 2k (+1 if shifted).
        var t = FacePixel.centreColumn(pixel.face) * quarter + pixel.x - pixel.y
        if t < 0 { t += 8 * quarter }
        var k = (t - (shifted ? 1 : 0)) >> 1
        if k >= 4 * quarter { k -= 4 * quarter }
        return first + k
    }

    /// The face coordinates of ring pixel `p`.
    func facePixel(ofRingPixel p: Int) -> FacePixel {
        let (i, k) = ringPosition(ofRingPixel: p)
        return facePixel(ring: i, position: k)
    }

    /// The face coordinates of the `k`-th pixel (0-based) of ring `i`.
    func facePixel(ring i: Int, position k: Int) -> FacePixel {
        let quarter: Int, shifted: Bool
        if i < nside {
            (quarter, shifted) = (i, true)
        } else if i > 3 * nside {
            (quarter, shifted) = (4 * nside - i, true)
        } else {
            (quarter, shifted) = (nside, (i - nside) & 1 == 0)
        }
        let t = 2 * k + (shifted ? 1 : 0)   // centre longitude in units of π/(4·quarter), in [0, 8·quarter)
        let face: Int
        if i < nside {
            face = k / quarter
        } else if i > 3 * nside {
            face = 8 + k / quarter
        } else {
            face = equatorialFace(ascending: (t + i - nside) >> 1, descending: (t - i + 3 * nside) >> 1)
        }
        let sum = FacePixel.cornerRing(face) * nside - i - 1          // x + y
        var difference = t - FacePixel.centreColumn(face) * quarter   // x − y
        if difference >= 2 * quarter { difference -= 8 * quarter }
        return FacePixel(face: face, x: (sum + difference) >> 1, y: (sum - difference) >> 1)
    }

    /// The base face holding a point of the equatorial belt whose ascending and descending edge-line
    /// indices (lines of constant `y` and `x` in units of one pixel, counted from longitude 0) are given.
    func equatorialFace(ascending: Int, descending: Int) -> Int {
        let a: Int, d: Int   // each in 0…4
        if let order { (a, d) = (ascending >> order, descending >> order) } else { (a, d) = (ascending / nside, descending / nside) }
        if a == d { return a | 4 }                          // 4 wraps to face 4
        return a < d ? a : d + 8
    }
}
