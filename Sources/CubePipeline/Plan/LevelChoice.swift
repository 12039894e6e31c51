import CubeCore

/// Picks the resolution level of a multi-resolution source (an xcube `.levels` pyramid) for a
/// target grid: the coarsest level whose pixels are still no larger than the target's (at least
/// one source pixel per target pixel along each axis, measured as `SpatialScale` does), so nothing
/// finer than needed is read and nothing coarser than the target is up-sampled. Level 0 when even
/// it is coarser than the target, or when no level can be measured.
enum LevelChoice {
    /// Tolerance on the pixel ratio, so a level of exactly the target's resolution is taken.
    static let tolerance = 1e-6

    /// The index of the level to read.
    static func pick(_ levels: [ResolutionLevel], target: RegularGrid) -> Int {
        var chosen = 0
        for level in levels {
            guard let scale = SpatialScale.measure(target: target, source: level.grid) else { continue }
            let perPixel = scale.sourcePixelsPerTargetPixel
            if min(perPixel.x, perPixel.y) >= 1 - tolerance, level.index > chosen { chosen = level.index }
        }
        return chosen
    }
}
