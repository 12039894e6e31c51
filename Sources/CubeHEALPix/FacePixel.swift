/// A pixel as (base face, x, y): the coordinates both orderings are converted through.
///
/// Face `f` is in row `f / 4` (0 north, 1 equatorial, 2 south). Inside a face, `x` grows towards the
/// north-east edge and `y` towards the north-west edge, both `0 ..< Nside`; so `x = y = Nside−1` is the
/// face's north corner and `x = y = 0` its south corner. A pixel's ring is `(row+2)·Nside − x − y − 1`
/// and its longitude, in units of `π/(4·nr)` with `nr` the ring's pixels per quarter, is
/// `column·nr + x − y` (Górski et al. 2005, §4 and Fig. 4).
struct FacePixel: Hashable {
    var face: Int
    var x: Int
    var y: Int

    /// The row of a base face: 0 north polar, 1 equatorial, 2 south polar.
    static func row(_ face: Int) -> Int { face >> 2 }

    /// The ring number of a face's east and west corners divided by `Nside`: 2, 3 or 4 by row.
    static func cornerRing(_ face: Int) -> Int { (face >> 2) + 2 }

    /// The longitude of a face's centre in units of `π/4`: odd for polar faces (π/4, 3π/4, …),
    /// even for equatorial ones (0, π/2, …).
    static func centreColumn(_ face: Int) -> Int { 2 * (face & 3) + (face >> 2 == 1 ? 0 : 1) }

    /// The nested index of this pixel on a grid of `order = log2(Nside)`.
    func nestedIndex(order: Int) -> Int {
        (face << (2 * order)) | Morton.spread(x) | (Morton.spread(y) << 1)
    }

    /// The pixel of nested index `p` on a grid of `order = log2(Nside)`.
    init(nestedIndex p: Int, order: Int) {
        let inFace = p & ((1 << (2 * order)) - 1)
        self.init(face: p >> (2 * order), x: Morton.compact(inFace), y: Morton.compact(inFace >> 1))
    }

    init(face: Int, x: Int, y: Int) {
        self.face = face
        self.x = x
        self.y = y
    }
}

/// Bit interleaving between a face's (x, y) and its quadtree (Morton) index.
enum Morton {
    /// Spreads the low 32 bits of `v` to the even bits of the result.
    static func spread(_ v: Int) -> Int {
        var b = UInt64(truncatingIfNeeded: v) & 0xFFFF_FFFF
        b = (b | (b << 16)) & 0x0000_FFFF_0000_FFFF
        b = (b | (b << 8)) & 0x00FF_00FF_00FF_00FF
        b = (b | (b << 4)) & 0x0F0F_0F0F_0F0F_0F0F
        b = (b | (b << 2)) & 0x3333_3333_3333_3333
        b = (b | (b << 1)) & 0x5555_5555_5555_5555
        return Int(b)
    }

    /// Gathers the even bits of `v` into the low 32 bits (the inverse of `spread`).
    static func compact(_ v: Int) -> Int {
        var b = UInt64(truncatingIfNeeded: v) & 0x5555_5555_5555_5555
        b = (b | (b >> 1)) & 0x3333_3333_3333_3333
        b = (b | (b >> 2)) & 0x0F0F_0F0F_0F0F_0F0F
        b = (b | (b >> 4)) & 0x00FF_00FF_00FF_00FF
        b = (b | (b >> 8)) & 0x0000_FFFF_0000_FFFF
        b = (b | (b >> 16)) & 0x0000_0000_FFFF_FFFF
        return Int(b)
    }
}
