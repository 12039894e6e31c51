/// A compass direction from a pixel to one of its eight neighbours.
///
/// The raw values are the positions in `HEALPixNeighbours` and in healpy's `get_all_neighbours`:
/// SW, W, NW, N, NE, E, SE, S.
public enum HEALPixDirection: Int, Sendable, Hashable, CaseIterable {
    case southWest = 0, west, northWest, north, northEast, east, southEast, south

    /// The step in face coordinates (x towards north-east, y towards north-west).
    var faceStep: (dx: Int, dy: Int) {
        switch self {
        case .southWest: return (-1, 0)
        case .west: return (-1, 1)
        case .northWest: return (0, 1)
        case .north: return (1, 1)
        case .northEast: return (1, 0)
        case .east: return (1, -1)
        case .southEast: return (0, -1)
        case .south: return (-1, -1)
        }
    }
}

/// The eight neighbours of a pixel, in `HEALPixDirection` order; `nil` where there is none.
///
/// Pixels at the eight face corners where only three base faces meet (`z = ±2/3` and the equatorial
/// face's north and south tips) have seven neighbours; the missing one is `nil` (healpy's `-1`).
public struct HEALPixNeighbours: Sendable, Hashable {
    /// The neighbour indices, `-1` for none, in `HEALPixDirection` order.
    public var raw: SIMD8<Int>

    /// The neighbours as an array of eight, `-1` for none (healpy's layout).
    public var array: [Int] { (0..<8).map { raw[$0] } }

    /// The neighbour in `direction`, or `nil` when the pixel has none there.
    public subscript(direction: HEALPixDirection) -> Int? {
        let p = raw[direction.rawValue]
        return p < 0 ? nil : p
    }
}
