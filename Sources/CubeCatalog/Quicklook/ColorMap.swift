/// A perceptually uniform colour map: matplotlib's `viridis` (CC0), sampled at 17 points and
/// interpolated linearly in between (within 1/255 of the full table).
public struct ColorMap: Sendable {
    private let anchors: [(UInt8, UInt8, UInt8)]

    /// viridis: dark blue (low) through green to yellow (high); readable in grey scale and by
    /// people with red-green colour blindness.
    public static let viridis = ColorMap(anchors: [
        (68, 1, 84), (72, 24, 106), (71, 45, 123), (66, 64, 134), (59, 82, 139), (51, 99, 141), (44, 114, 142),
        (38, 130, 142), (33, 145, 140), (31, 160, 136), (40, 174, 128), (63, 188, 115), (94, 201, 98),
        (132, 212, 75), (173, 220, 48), (216, 226, 25), (253, 231, 37),
    ])

    /// plasma: dark blue (low) through magenta and orange to yellow (high); matplotlib's
    /// `plasma` (CC0) sampled at 9 points.
    public static let plasma = ColorMap(anchors: [
        (13, 8, 135), (75, 3, 161), (126, 3, 168), (168, 34, 150), (204, 71, 120), (230, 108, 92), (248, 149, 64),
        (253, 195, 40), (240, 249, 33),
    ])

    /// greys: white (low) to black (high), linear in each channel (`255 − round(255·t)`).
    public static let greys = ColorMap(anchors: [(255, 255, 255), (0, 0, 0)])

    /// RdBu: diverging dark red (low) through white to dark blue (high); ColorBrewer's 11-class
    /// RdBu (Apache 2.0), as matplotlib's `RdBu`.
    public static let rdBu = ColorMap(anchors: [
        (103, 0, 31), (178, 24, 43), (214, 96, 77), (244, 165, 130), (253, 219, 199), (247, 247, 247), (209, 229, 240),
        (146, 197, 222), (67, 147, 195), (33, 102, 172), (5, 48, 97),
    ])

    /// The colour maps by the names xcube's viewer uses: `viridis`, `plasma`, `Greys` (also
    /// `greys`), `RdBu`; `nil` for any other name.
    public static func named(_ name: String) -> ColorMap? {
        switch name.lowercased() {
        case "viridis": viridis
        case "plasma": plasma
        case "greys", "gray", "grey": greys
        case "rdbu": rdBu
        default: nil
        }
    }

    /// The names `named` knows, as the viewer shows them.
    public static let names = ["viridis", "plasma", "Greys", "RdBu"]

    /// The colour at `t` in 0…1 (clamped).
    public func color(_ t: Double) -> (r: UInt8, g: UInt8, b: UInt8) {
        let clamped = t.isNaN ? 0 : min(1, max(0, t))
        let position = clamped * Double(anchors.count - 1)
        let k = min(anchors.count - 2, Int(position))
        let f = position - Double(k)
        let a = anchors[k], b = anchors[k + 1]
        func mix(_ x: UInt8, _ y: UInt8) -> UInt8 { UInt8((Double(x) + (Double(y) - Double(x)) * f).rounded()) }
        return (mix(a.0, b.0), mix(a.1, b.1), mix(a.2, b.2))
    }
}
