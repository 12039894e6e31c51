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
