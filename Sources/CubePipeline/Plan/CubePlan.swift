public import CubeCore
public import CubeProjection
public import CubeRecipe
public import CubeResampling
import Foundation
public import Zarr

/// Everything about a cube fixed before any pixel moves: target grid, time axis, variables,
/// chunking, and the sources with their time steps. Deterministic for a recipe and its inputs.
public struct CubePlan: Sendable {
    /// The recipe planned.
    public var recipe: Recipe
    /// The target grid.
    public var grid: RegularGrid
    /// What PROJ says about the target CRS.
    public var crs: CRSDescription
    /// The output time axis.
    public var time: TimeAxisPlan
    /// The sources, in recipe order.
    public var sources: [SourcePlan]
    /// The output variables, in recipe order.
    public var variables: [VariablePlan]
    /// The chunk shape (time, y, x).
    public var chunkShape: ChunkShape
    /// The Zarr compressor configuration for data variables, or `nil` for none.
    public var compressor: CompressorPlan
    /// The Zarr format written (`output.format`).
    public var format: ZarrFormat = .v2
    /// The shard shape (a multiple of `chunkShape`), or `nil` when every chunk is its own object.
    public var shardShape: ChunkShape?
    /// Whether every chunk carries a CRC-32C (`output.checksum: crc32c`).
    public var checksum: Bool = false
    /// Non-fatal findings (settings without effect).
    public var warnings: [Diagnostic]
    /// The vertical axis, when a variable asks for `levels` (DESIGN.md §15); `nil` for a
    /// (time, y, x) cube.
    public var vertical: VerticalAxisPlan? = nil
    /// The ensemble-member axis, when a variable asks for `members` (DESIGN.md §16); `nil`
    /// otherwise.
    public var members: MemberAxisPlan? = nil

    /// The dimensions between time and y of the data arrays: `member`, then the vertical axis.
    public var extraDimensions: [(name: String, size: Int)] {
        (members.map { [($0.name, $0.count)] } ?? []) + (vertical.map { [($0.name, $0.count)] } ?? [])
    }
    /// The chunk (and shard) size along each of `extraDimensions`: members or levels per chunk.
    public var extraChunks: [Int] = []

    /// The Zarr chunk (or shard) index in `variable`'s array of task index `task` (time, y, x).
    public func arrayIndex(_ variable: VariablePlan, _ task: [Int]) -> [Int] {
        guard let layer = variable.layer else { return task }
        let axes = layer.axes.enumerated().map { $1 / (extraChunks.indices.contains($0) ? extraChunks[$0] : 1) }
        return [task[0]] + axes + task[1...]
    }

    /// The layers (indices in `variables`) stored in one chunk with `variable`: those of its array
    /// at the same chunk index along the member and level axes, in chunk order (members, then
    /// levels); `[variable]` itself when each layer is a chunk of its own.
    public func chunkLayers(of variable: Int) -> [Int] {
        let plan = variables[variable]
        guard plan.layer != nil, extraChunks.contains(where: { $0 > 1 }) else { return [variable] }
        let chunk = arrayIndex(plan, [0, 0, 0])
        let layers = variables.indices.filter { variables[$0].arrayName == plan.arrayName && arrayIndex(variables[$0], [0, 0, 0]) == chunk }
        return layers.sorted { variables[$0].layer!.axes.lexicographicallyPrecedes(variables[$1].layer!.axes) }
    }

    /// The position of `variable`'s layer inside its chunk along the member and level axes
    /// (row-major over those axes, with the chunk sizes `extraChunks`).
    public func slotInChunk(_ variable: VariablePlan) -> Int {
        guard let layer = variable.layer else { return 0 }
        var slot = 0
        for (k, index) in layer.axes.enumerated() {
            let size = extraChunks.indices.contains(k) ? extraChunks[k] : 1
            slot = slot * size + index % size
        }
        return slot
    }

    /// The plan with every layer in chunks of its own along the member and level axes: the
    /// pyramid levels (chunks of one step) and the time-series copy (one point's series) of a
    /// (time, [member,] [level,] y, x) cube.
    public var oneLayerPerChunk: CubePlan {
        var plan = self
        plan.extraChunks = extraChunks.map { _ in 1 }
        return plan
    }

    /// The layers in one chunk along the member and level axes (the product of `extraChunks`).
    public var layersPerChunk: Int { extraChunks.reduce(1, *) }

    /// The cube's data arrays in plan order: each array's name and the indices in `variables` of
    /// its layers (one for a (time, y, x) variable; one per level, in level order, otherwise).
    public var outputArrays: [(name: String, layers: [Int])] {
        var arrays: [(name: String, layers: [Int])] = []
        for (index, variable) in variables.enumerated() {
            if let position = arrays.firstIndex(where: { $0.name == variable.arrayName }) {
                arrays[position].layers.append(index)
            } else {
                arrays.append((variable.arrayName, [index]))
            }
        }
        return arrays
    }

    /// The names of the spatial dimensions: `lon`/`lat` for geographic grids, `x`/`y` otherwise.
    public var spatialNames: (x: String, y: String) { grid.isGeographic ? ("lon", "lat") : ("x", "y") }

    /// The number of chunks along time, y and x.
    public var chunkCounts: (time: Int, y: Int, x: Int) {
        (ceilDiv(time.count, chunkShape.time), ceilDiv(grid.height, chunkShape.y), ceilDiv(grid.width, chunkShape.x))
    }

    /// What one task computes and writes for every variable: a shard (all its chunks, so
    /// nothing is read back and rewritten), or a chunk.
    public var taskShape: ChunkShape { shardShape ?? chunkShape }

    /// The number of tasks along time, y and x.
    public var taskCounts: (time: Int, y: Int, x: Int) {
        (ceilDiv(time.count, taskShape.time), ceilDiv(grid.height, taskShape.y), ceilDiv(grid.width, taskShape.x))
    }

    /// The number of tasks (each writes one chunk, or one shard, of every variable).
    public var taskCount: Int { taskCounts.time * taskCounts.y * taskCounts.x }

    /// The task regions in execution order: time blocks outermost, then rows, then columns.
    public var tasks: [ChunkRegion] {
        var regions: [ChunkRegion] = []
        let counts = taskCounts
        regions.reserveCapacity(taskCount)
        for t in 0..<counts.time {
            for y in 0..<counts.y {
                for x in 0..<counts.x { regions.append(region(t: t, y: y, x: x)) }
            }
        }
        return regions
    }

    /// The region of task (t, y, x): a chunk, or a shard when sharded.
    public func region(t: Int, y: Int, x: Int) -> ChunkRegion {
        let shape = taskShape
        return ChunkRegion(index: (t, y, x),
                           times: t * shape.time..<min(time.count, (t + 1) * shape.time),
                           rows: y * shape.y..<min(grid.height, (y + 1) * shape.y),
                           columns: x * shape.x..<min(grid.width, (x + 1) * shape.x))
    }

    /// Bytes of the decoded source planes one time block of tasks shares (every variable's
    /// footprint window, for every source step feeding the busiest time chunk); 0 when a time
    /// block is a single task, so nothing is shared.
    public var sharedPlaneBytes: Int {
        guard sharesPlanes else { return 0 }
        return variables.reduce(0) { total, variable in
            let source = sources[variable.source]
            let stepsPerBlock = stride(from: 0, to: time.count, by: taskShape.time).map { start in
                source.steps[start..<min(time.count, start + taskShape.time)].reduce(0) { $0 + max(1, $1.count) }
            }.max() ?? 0
            // A cell grid read for a regional target holds only the cells it reaches.
            let largest = source.footprints.enumerated().map { g, window in
                source.cellSubset(ofGrid: g)?.count ?? window?.count ?? 0
            }.max() ?? (source.footprint?.count ?? 0)
            return total + stepsPerBlock * largest * MemoryLayout<Float>.size
        }
    }

    /// The number of spatial task regions (chunk or shard columns × rows) that `window` of the
    /// target grid meets; all of them for `nil` (a source that reaches everywhere).
    public func spatialTasks(reaching window: PixelWindow?) -> Int {
        let counts = taskCounts
        guard let window else { return counts.y * counts.x }
        guard !window.rows.isEmpty, !window.columns.isEmpty else { return 0 }
        let shape = taskShape
        let rows = window.rows.lowerBound / shape.y...(window.rows.upperBound - 1) / shape.y
        let columns = window.columns.lowerBound / shape.x...(window.columns.upperBound - 1) / shape.x
        return rows.count * columns.count
    }

    /// Whether tasks share decoded source planes through the cache (more than one spatial task).
    public var sharesPlanes: Bool { taskCounts.y * taskCounts.x > 1 }

    /// The plane-cache size a run uses unless told otherwise: two time blocks of shared planes
    /// (the one being worked on and the next), at least 64 MiB, at most `limit`.
    public func defaultCacheBudget(limit: Int = Pipeline.defaultCacheBudget) -> Int {
        min(limit, max(64 << 20, 2 * sharedPlaneBytes))
    }

    /// Uncompressed bytes of all data variables.
    public var outputBytes: Int {
        variables.reduce(0) { $0 + time.count * grid.height * grid.width * $1.dataType.size }
    }
}

/// The output time axis.
public struct TimeAxisPlan: Sendable {
    /// The units and calendar values are written in.
    public var units: CFTimeUnits
    /// The dates of the steps.
    public var dates: [CalendarDate]
    /// The encoded values.
    public var values: [Double]
    /// With a period: each step's `time_bnds` (start, end) in `units`; `nil` when the source steps are kept.
    public var bounds: [(Double, Double)]?
    /// The period, when the recipe aggregates in time.
    public var period: TimePeriod?
    /// The number of steps.
    public var count: Int { dates.count }
}

/// One source with the file step feeding each output time step.
public struct SourcePlan: Sendable {
    /// The recipe section (for a `store: stac` source whose assets lie on different grids, the
    /// part of it one grid's assets give: see `STACAssetGroups`).
    public var section: SourceSection
    /// The index of its section in `Recipe.sources` (several plans share one when a `store: stac`
    /// source is split by asset grid).
    public var recipeIndex: Int = 0
    /// The store reading it.
    public var store: any DataStore
    /// The files' descriptors, in time order.
    public var files: [DatasetDescriptor]
    /// For output step `k`: the source steps feeding it, in time order (`file`, `index` within the
    /// file). One step each when the source steps are kept; the steps of the period otherwise.
    public var steps: [[(file: Int, index: Int)]]
    /// The source grid read (of the first file; an overview's grid when one is read).
    public var grid: SourceGrid
    /// The source window that covers the whole target grid (for sharing reads between chunks), or
    /// `nil` when the target does not overlap the source (of the first grid).
    public var footprint: PixelWindow?
    /// The distinct grids of the files: one for most sources, one per tile footprint for a mosaic
    /// of files dated by the recipe (tiles of several UTM zones, say).
    public var grids: [SourceGrid] = []
    /// For each file, the index of its grid in `grids`.
    public var fileGrid: [Int] = []
    /// For each grid, the window covering the target grid, or `nil` when it does not overlap.
    public var footprints: [PixelWindow?] = []
    /// For each grid: the cells read of a cell grid that a regional target reaches (`CellReach`);
    /// `nil` for a grid read whole (a raster, or a target reaching most of the cells). Empty:
    /// every grid is read whole.
    public var cellSubsets: [CellSubset?] = []

    /// The cells read of grid `g` (`cellSubsets`), `nil` when it is read whole.
    public func cellSubset(ofGrid g: Int) -> CellSubset? { cellSubsets.isEmpty ? nil : cellSubsets[g] }
    /// For each grid: the target pixels it can reach (`SourceReach`), `nil` when none. Tasks
    /// outside a grid's window neither map nor read its files. Empty: every grid reaches everywhere.
    public var targetWindows: [PixelWindow?] = []
    /// How files of one date that overlap combine.
    public var mosaic: MosaicRule = .first
    /// For each grid: the internal overview read (0: full resolution; `k`: the descriptors'
    /// `overviews[k - 1]`, whose grid `grids` then holds).
    public var overviewLevels: [Int] = []
    /// The fraction of the target grid (sampled) that falls on the source grid.
    public var coverage: Double = 1
    /// Source pixels per target pixel at the grid's centre (`nil` when no sampled target pixel
    /// falls on the source); decides between up- and down-sampling methods.
    public var scale: SpatialScale?
    /// How the files are read: remote objects (whose `location` is their URL) through the input cache.
    var inputs = SourceInputs()
}

/// One output variable.
public struct VariablePlan: Sendable {
    /// The name in the cube.
    public var name: String
    /// The index of its source in `CubePlan.sources`.
    public var source: Int
    /// The name in the source.
    public var sourceName: String
    /// The spatial method.
    public var method: ResamplingMethod
    /// The temporal method when the cube has a period (`nil`: source steps kept).
    public var aggregation: TemporalAggregation?
    /// Fewer valid values in a period than this give fill.
    public var minCount: Int
    /// Output steps without any source step that are filled from neighbouring source steps
    /// (`upsampling`): output step → source steps with their weights.
    public var upsampled: [Int: [(file: Int, index: Int, weight: Double)]] = [:]
    /// The stored data type.
    public var dataType: DataType
    /// Packing for the stored values (`stored = (value − addOffset) / scaleFactor`), if any.
    public var scaleFactor: Double?
    /// See `scaleFactor`.
    public var addOffset: Double?
    /// The stored fill value; NaN for floats without one.
    public var fillValue: Double
    /// Attributes carried over from the source (units, names, …).
    public var attributes: [Attribute]
    /// The recipe key path of the variable.
    public var keyPath: String
    /// Where this plan sits in a (time, level, y, x) array, when its variable asks for `levels`:
    /// each level is a layer planned like a (time, y, x) variable and named `ARRAY@LEVEL` inside
    /// the run (task records, digests); `nil` for a (time, y, x) variable.
    public var layer: VariableLayer? = nil
    /// When the source holds the levels along a dimension of one variable (NetCDF `plev`): that
    /// dimension and this layer's index along it; `nil` when each level is a field of its own (GRIB).
    public var sourceLevel: (dimension: String, index: Int)? = nil
    /// When the source holds the ensemble members along a dimension of one variable (a NetCDF or
    /// Zarr `realization`): that dimension and this layer's index along it; `nil` otherwise (GRIB
    /// members are fields of their own).
    public var sourceMember: (dimension: String, index: Int)? = nil

    /// The elements of the source variable's other dimensions this plan reads: its member, then
    /// its level (empty for a (time, y, x) source variable).
    public var sourceSelection: [(dimension: String, index: Int)] { [sourceMember, sourceLevel].compactMap { $0 } }

    /// The name of the cube array this plan writes into.
    public var arrayName: String { layer?.array ?? name }

}

/// One level and/or ensemble member of a (time, [member,] [level,] y, x) variable (see
/// `VariablePlan.layer`).
public struct VariableLayer: Sendable, Hashable {
    /// The cube array's name (the recipe variable's `name`).
    public var array: String
    /// The index along the vertical axis (0 when the array has none).
    public var index: Int
    /// The level as the recipe wrote it, with its units (`850 hPa`), for titles and errors;
    /// empty when the array has no vertical axis.
    public var label: String
    /// Whether the array has a vertical axis.
    public var hasLevel: Bool = true
    /// The index along the member axis, `nil` when the array has none.
    public var member: Int? = nil
    /// The member as the source numbers it (`member 3`), `nil` when the array has no member axis.
    public var memberLabel: String? = nil

    /// The indices along the array's axes between time and y, in array order (member, level).
    public var axes: [Int] { (member.map { [$0] } ?? []) + (hasLevel ? [index] : []) }
    /// The member and level together, for titles (`member 3 850 hPa`).
    public var title: String { [memberLabel ?? "", label].filter { !$0.isEmpty }.joined(separator: " ") }
}

/// The cube's ensemble-member axis (`members:` in the recipe; DESIGN.md §16).
public struct MemberAxisPlan: Sendable, Hashable {
    /// The member numbers (GRIB `number`), in recipe order.
    public var values: [Int]
    /// The number of members.
    public var count: Int { values.count }
    /// The dimension name.
    public var name: String { "member" }
    /// The member coordinate's CF attributes.
    public static let attributes: [(String, String)] = [
        ("standard_name", "realization"), ("long_name", "ensemble member number"), ("units", "1"),
    ]
}

/// The cube's vertical axis (`levels:` in the recipe; DESIGN.md §15).
public struct VerticalAxisPlan: Sendable, Hashable {
    /// What the axis measures; its `name` is the dimension's name.
    public var coordinate: VerticalCoordinate
    /// The levels in the cube's units (`coordinate.units`: Pa for pressure), in recipe order.
    public var values: [Double]
    /// The levels as the recipe wrote them, with units (`850 hPa`).
    public var labels: [String]
    /// The number of levels.
    public var count: Int { values.count }
    /// The dimension name.
    public var name: String { coordinate.name }
}

/// The chunk shape.
public struct ChunkShape: Sendable, Hashable {
    /// Steps per chunk.
    public var time: Int
    /// Rows per chunk.
    public var y: Int
    /// Columns per chunk.
    public var x: Int
}

/// The region one task fills: one chunk (or shard) index and its (possibly edge-clipped) ranges.
public struct ChunkRegion: Sendable, Hashable {
    /// The task's grid index (time, y, x): a chunk index, or a shard index when sharded.
    public var index: (t: Int, y: Int, x: Int)
    /// The output time steps.
    public var times: Range<Int>
    /// The output rows.
    public var rows: Range<Int>
    /// The output columns.
    public var columns: Range<Int>

    /// Compares ranges.
    public static func == (a: ChunkRegion, b: ChunkRegion) -> Bool { a.times == b.times && a.rows == b.rows && a.columns == b.columns }
    /// Hashes ranges.
    public func hash(into hasher: inout Hasher) {
        hasher.combine(times)
        hasher.combine(rows)
        hasher.combine(columns)
    }
}

/// The data variables' compressor, as written to `.zarray`.
public struct CompressorPlan: Sendable, Hashable {
    /// The numcodecs object, `nil` for no compression.
    public var configurationText: String?
    /// A short description for the plan printout.
    public var summary: String
}

@inline(__always) func ceilDiv(_ a: Int, _ b: Int) -> Int { (a + b - 1) / b }
