/// A HEALPix grid: `12·Nside²` equal-area pixels on the sphere, numbered in one ordering.
///
/// The geometry is Górski et al. 2005 (ApJ 622:759): twelve base faces (four around each pole, four on
/// the equator), each split into `Nside × Nside` pixels; pixel centres lie on `4·Nside − 1` rings of
/// constant latitude. Angles follow the HEALPix convention: colatitude θ in `[0, π]` from the north
/// pole and longitude φ in radians eastwards; the latitude/longitude variants take degrees.
///
/// Pixel indices are `Int` (64-bit), exact for every `Nside` up to `2^29`. The value is a few integers
/// and, up to `Nside` 2^14, a shared table of ring colatitudes (at most 512 KiB, built on creation), so it
/// is cheap to copy and safe to share between tasks; no method allocates except `boundaries` and
/// `HEALPixCells.cells(intersecting:)`. Equality and hashing consider `nside` and `ordering` only.
public struct HEALPixGrid: Sendable, Hashable {
    /// The resolution parameter: pixels per base-face side.
    public let nside: Int
    /// The numbering of pixel indices taken and returned by this grid's methods.
    public let ordering: HEALPixOrdering
    /// `log2(nside)` when `nside` is a power of two, otherwise `nil` (ring ordering only).
    public let order: Int?


    /// The largest supported `Nside`: pixel indices of `2^29` still fit in 63 bits.
    public static let maximumNside = 1 << 29

    /// Pixels in the two polar caps together above/below `z = ±2/3`: `2·Nside·(Nside−1)` per cap.
    let capPixels: Int
    /// `4 / pixelCount`, the `Δz` unit of the polar rings (as in the paper's `z = 1 − i²/(3·Nside²)`).
    let polarFactor: Double
    /// `2·Nside · polarFactor = 2 / (3·Nside)`, the `Δz` between equatorial rings.
    let equatorialFactor: Double
    /// θ of rings `0 … 4·Nside` (index = ring number; the ends unused) when `Nside ≤ 2^14`, else empty:
    /// the interpolation stencil needs two per point, and a look-up is cheaper than `acos`/`atan2`.
    private(set) var ringColatitudes: [Double]

    /// The largest `Nside` whose ring colatitudes are tabulated.
    static let largestTabulatedNside = 1 << 14

    /// A grid of resolution `nside` numbered in `ordering`.
    ///
    /// - Throws: `HEALPixError.invalidNside` when `nside` is outside `1…2^29`, or is not a power of two
    ///   and `ordering` is `.nested`.
    public init(nside: Int, ordering: HEALPixOrdering) throws(HEALPixError) {
        let isPowerOfTwo = nside > 0 && nside & (nside - 1) == 0
        guard nside >= 1, nside <= Self.maximumNside, isPowerOfTwo || ordering == .ring else {
            throw .invalidNside(nside, ordering)
        }
        self.nside = nside
        self.ordering = ordering
        self.order = isPowerOfTwo ? nside.trailingZeroBitCount : nil
        self.capPixels = 2 * nside * (nside - 1)
        self.polarFactor = 4.0 / Double(12 * nside * nside)
        self.equatorialFactor = Double(2 * nside) * polarFactor
        self.ringColatitudes = []
        if nside <= Self.largestTabulatedNside {
            let grid = self
            self.ringColatitudes = (0...(4 * nside)).map { i in
                i == 0 ? 0 : (i == 4 * nside ? Double.pi : grid.computedRingColatitude(i))
            }
        }
    }

    /// Grids are equal when they number the same pixels the same way.
    public static func == (a: HEALPixGrid, b: HEALPixGrid) -> Bool {
        a.nside == b.nside && a.ordering == b.ordering
    }

    /// Hashes `nside` and `ordering`.
    public func hash(into hasher: inout Hasher) {
        hasher.combine(nside)
        hasher.combine(ordering)
    }

    /// The number of pixels, `12·Nside²`.
    public var pixelCount: Int { 12 * nside * nside }

    /// The number of iso-latitude rings, `4·Nside − 1`.
    public var ringCount: Int { 4 * nside - 1 }

    /// The area of every pixel in steradians, `4π / pixelCount`.
    public var pixelArea: Double { 4 * Double.pi / Double(pixelCount) }

    /// The same pixels numbered in `ordering` (same `nside`).
    ///
    /// - Precondition: `nside` is a power of two when `ordering` is `.nested`.
    public func reordered(_ ordering: HEALPixOrdering) -> HEALPixGrid {
        precondition(order != nil || ordering == .ring, "nested ordering needs a power-of-two Nside")
        return try! HEALPixGrid(nside: nside, ordering: ordering)
    }

    /// Whether `pixel` is a valid index, `0 ..< pixelCount`.
    public func contains(_ pixel: Int) -> Bool { pixel >= 0 && pixel < 12 * nside * nside }
}
