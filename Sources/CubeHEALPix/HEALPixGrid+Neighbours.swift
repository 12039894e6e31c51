extension HEALPixGrid {
    /// The eight neighbours of pixel `p` (SW, W, NW, N, NE, E, SE, S), as healpy's
    /// `get_all_neighbours(nside, p)`.
    ///
    /// Inside a base face a neighbour is one step in face coordinates; across an edge it is found on the
    /// adjacent base face (see `BaseFaceAdjacency`).
    ///
    /// - Precondition: `0 ≤ p < pixelCount`.
    public func neighbours(of p: Int) -> HEALPixNeighbours {
        precondition(contains(p), "HEALPix pixel \(p) outside 0..<\(pixelCount)")
        let f = facePixel(of: p)
        var raw = SIMD8<Int>(repeating: -1)
        for direction in HEALPixDirection.allCases {
            let (dx, dy) = direction.faceStep
            if let q = BaseFaceAdjacency.step(f, dx: dx, dy: dy, nside: nside) {
                raw[direction.rawValue] = index(of: q)
            }
        }
        return HEALPixNeighbours(raw: raw)
    }
}

/// How the twelve base faces join: the pixel one step away from a face pixel, possibly on another face.
///
/// Derived from the face layout (Górski et al. 2005, Fig. 4): a north face `k` (centred on longitude
/// `(k+½)·π/2`) touches equatorial face `4+k` along its south-west edge and `4+(k+1)%4` along its
/// south-east edge, south face `8+k` at its south corner, and the north faces `k±1` (and `k+2` at the
/// pole) along its northern edges, where those faces' axes are turned; the south faces mirror this; an
/// equatorial face `4+k` touches north faces `k` (NE) and `(k+3)%4` (NW), south faces `8+k` (SE) and
/// `8+(k+3)%4` (SW), and equatorial faces `4+(k±1)%4` at its east and west corners.
enum BaseFaceAdjacency {
    /// The pixel one step `(dx, dy)` from `pixel`, or `nil` where three faces meet and none lies there.
    static func step(_ pixel: FacePixel, dx: Int, dy: Int, nside n: Int) -> FacePixel? {
        var x = pixel.x + dx, y = pixel.y + dy
        // Which edge or corner is crossed: -1, 0 or +1 along each axis.
        let cx = x < 0 ? -1 : (x >= n ? 1 : 0), cy = y < 0 ? -1 : (y >= n ? 1 : 0)
        if cx == 0 && cy == 0 { return FacePixel(face: pixel.face, x: x, y: y) }
        x -= cx * n
        y -= cy * n
        let k = pixel.face & 3
        let face: Int
        var turn = Turn.none
        switch (FacePixel.row(pixel.face), cx, cy) {
        // North faces: equatorial and south faces below, turned north faces beyond the northern edges.
        case (0, -1, 0): face = 4 + k
        case (0, 0, -1): face = 4 + (k + 1) % 4
        case (0, -1, -1): face = 8 + k
        case (0, 1, 0): face = (k + 1) % 4; turn = .flipXThenSwap
        case (0, 0, 1): face = (k + 3) % 4; turn = .flipYThenSwap
        case (0, 1, 1): face = (k + 2) % 4; turn = .flipBoth
        // Equatorial faces: polar faces along the edges, equatorial faces at the east and west corners.
        case (1, 1, 0): face = k
        case (1, 0, 1): face = (k + 3) % 4
        case (1, 0, -1): face = 8 + k
        case (1, -1, 0): face = 8 + (k + 3) % 4
        case (1, 1, -1): face = 4 + (k + 1) % 4
        case (1, -1, 1): face = 4 + (k + 3) % 4
        // South faces: mirror of the north.
        case (2, 1, 0): face = 4 + (k + 1) % 4
        case (2, 0, 1): face = 4 + k
        case (2, 1, 1): face = k
        case (2, -1, 0): face = 8 + (k + 3) % 4; turn = .flipXThenSwap
        case (2, 0, -1): face = 8 + (k + 1) % 4; turn = .flipYThenSwap
        case (2, -1, -1): face = 8 + (k + 2) % 4; turn = .flipBoth
        default: return nil   // a corner where only three faces meet
        }
        switch turn {
        case .none: break
        case .flipXThenSwap: (x, y) = (y, n - 1 - x)
        case .flipYThenSwap: (x, y) = (n - 1 - y, x)
        case .flipBoth: (x, y) = (n - 1 - x, n - 1 - y)
        }
        return FacePixel(face: face, x: x, y: y)
    }

    /// How the neighbouring face's axes sit relative to this face's (polar faces only).
    private enum Turn { case none, flipXThenSwap, flipYThenSwap, flipBoth }
}
