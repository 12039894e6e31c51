import CubeCore

/// Picks, for each grid of a source, the internal overview to read (COGs): as GDAL's warper does
/// (`-ovr AUTO`), the coarsest overview whose resolution is still not coarser than the target's,
/// so a large down-sampling reads far fewer pixels; the full grid when none qualifies, when
/// up-sampling, or when the store lists no overviews.
enum OverviewChoice {
    /// The level (0: the full grid; `k`: `overviews[k - 1]`) and the grid to read, per grid.
    /// - Parameters:
    ///   - grids: The source's distinct full-resolution grids.
    ///   - fileGrid: Each file's index in `grids`.
    ///   - files: The files' descriptors (their `overviews`).
    ///   - target: The target grid.
    static func choose(grids: [SourceGrid], fileGrid: [Int], files: [DatasetDescriptor],
                       target: RegularGrid) -> [(level: Int, grid: SourceGrid)] {
        grids.enumerated().map { g, grid in
            // Overviews every file of this grid has (the longest common prefix of their lists).
            let members = files.indices.filter { fileGrid[$0] == g }.map { files[$0].overviews }
            guard var common = members.first else { return (0, grid) }
            for other in members.dropFirst() {
                common = Array(zip(common, other).prefix { $0 == $1 }.map(\.0))
            }
            guard !common.isEmpty, let scale = SpatialScale.measure(target: target, source: grid), scale.factor < 1 else {
                return (0, grid)
            }
            let ratio = 1 / scale.factor
            var choice = (level: 0, grid: grid)
            for (k, overview) in common.enumerated() {
                let factor = (Double(grid.width) / Double(overview.width) * Double(grid.height) / Double(overview.height)).squareRoot()
                if factor <= ratio * (1 + 1e-6) { choice = (k + 1, overview) }
            }
            return choice
        }
    }
}
