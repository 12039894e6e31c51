import CubeCore
import CubeRecipe

/// How a pyramid level aggregates one variable: xcube's names, as written in `.zlevels`
/// `agg_methods`.
public enum PyramidMethod: String, Sendable, Hashable, CaseIterable {
    /// The NaN-aware mean of the level-0 pixels of the cell (missing pixels ignored; all
    /// missing gives missing). The default for floating-point and packed variables.
    case mean
    /// The cell's top-left level-0 pixel (xcube's subsampling). The default for unpacked
    /// integer variables (classes), whose means would invent classes.
    case first
    /// The smallest valid level-0 pixel of the cell.
    case min
    /// The largest valid level-0 pixel of the cell.
    case max
    /// The most frequent valid level-0 value of the cell, ties going to the smallest value (for
    /// integer classes: no invented classes, unlike `first` not tied to one pixel).
    case mode

    /// The method of `variable`: its `pyramid_method`, else `first` for an unpacked integer
    /// type and `mean` otherwise (xcube's `auto`).
    static func of(_ variable: VariablePlan, in recipe: Recipe) -> PyramidMethod {
        let section = recipe.sources.lazy.flatMap(\.variables).first { $0.keyPath == variable.keyPath }
        if let given = section?.pyramidMethod.flatMap(PyramidMethod.init(rawValue:)) { return given }
        let packed = variable.scaleFactor != nil || variable.addOffset != nil
        return variable.dataType.isFloatingPoint || packed ? .mean : .first
    }
}

/// The shape of a cube's pyramid: level sizes, tile grid and methods, derived from the plan.
///
/// Level `k` has cells of `2^k × 2^k` level-0 pixels: its size is the cube's halved `k` times,
/// rounding up (a partial cell at the right and bottom edges covers the pixels that exist), as
/// xcube's `subdivide_size` does. Every level's cell value is computed from level-0 pixels
/// directly (xcube's `subsample_dataset(step: 2^k)`), so levels do not depend on one another.
struct PyramidLayout: Sendable, Equatable {
    /// One level's size in cells and its tile (chunk) size.
    struct Level: Sendable, Equatable {
        /// `2^k`: level-0 pixels per cell side.
        var factor: Int
        var width: Int
        var height: Int
        /// The chunk size in x and y (the tile size, or the level's size when smaller).
        var tileX: Int
        var tileY: Int
        var tilesX: Int { (width + tileX - 1) / tileX }
        var tilesY: Int { (height + tileY - 1) / tileY }
    }

    /// Levels 0 (the cube) to `levels.count - 1`.
    let levels: [Level]
    /// The tile size asked for.
    let tile: Int
    /// Per variable (plan order), how its levels aggregate.
    let methods: [PyramidMethod]

    /// Per data array (plan order), how its levels aggregate: the layers of a (time, level, y, x)
    /// array share their recipe variable's method.
    func arrayMethods(_ plan: CubePlan) -> [(name: String, method: PyramidMethod)] {
        plan.outputArrays.map { ($0.name, methods[$0.layers[0]]) }
    }

    /// The layout of `plan`'s pyramid, or `nil` when the recipe asks for none.
    init?(plan: CubePlan) {
        guard let section = plan.recipe.output.pyramid else { return nil }
        self.init(width: plan.grid.width, height: plan.grid.height, tile: section.tile, count: section.levels,
                  methods: plan.variables.map { PyramidMethod.of($0, in: plan.recipe) })
    }

    /// A layout over a `width × height` grid; `count` levels, or as many as halve until a side
    /// fits one tile (`nil`, xcube's rule). Halving stops at one pixel whatever `count` says.
    init(width: Int, height: Int, tile: Int, count: Int?, methods: [PyramidMethod]) {
        var levels: [Level] = []
        var w = width, h = height, factor = 1
        while true {
            levels.append(Level(factor: factor, width: w, height: h, tileX: Swift.min(tile, w), tileY: Swift.min(tile, h)))
            if let count { if levels.count >= count || (w == 1 && h == 1) { break } } else if w <= tile || h <= tile { break }
            w = (w + 1) / 2
            h = (h + 1) / 2
            factor *= 2
        }
        self.levels = levels
        self.tile = tile
        self.methods = methods
    }

    /// The level-0 pixel rows (or columns) tile `index` of a level covers along an axis of
    /// `size` level-0 pixels.
    static func footprint(tile index: Int, tileSize: Int, factor: Int, size: Int) -> Range<Int> {
        let start = index * tileSize * factor
        return Swift.min(start, size)..<Swift.min(start + tileSize * factor, size)
    }
}
