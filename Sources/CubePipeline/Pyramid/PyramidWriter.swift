import CubeCatalog
import CubeCore
import CubeRecipe
import CubeStorage
import Foundation
import Zarr

/// Writes a cube's pyramid `NAME.levels` (xcube's multi-level format) while the cube is built.
///
/// `0.link` names the cube itself (`../NAME.zarr`, no copy); `1.zarr` … are complete CF cubes of
/// the same variables at half, quarter, … the resolution, chunked `(1, tile, tile)`. Their tiles
/// are written as the chunk tasks finish (`PyramidTiles`), never by reading the written cube
/// again; only chunks this run did not compute (a resumed or incremental run) are read back, and
/// only those reaching a time step whose tiles change.
///
/// `.zlevels` is removed when a run starts changing the pyramid and written last, after the
/// cube is published, with the digest of the cube it belongs to: a pyramid without it is
/// unfinished and rebuilt whole by the next run. An incremental run whose previous pyramid
/// matches the published cube rewrites only the tiles of the time steps it computes.
final class PyramidWriter: Sendable {
    let layout: PyramidLayout
    let tiles: PyramidTiles
    /// The pyramid's folder or prefix, as written (for messages and STAC).
    let location: String
    let storage: any Storage
    private let writes: WriteQueue
    private let encoders: [[ChunkEncoder]]
    /// The time steps whose tiles this run writes; `nil` for all of them.
    let dirtySteps: Set<Int>?
    /// Whether tiles of fill only must delete what an earlier run stored under their key.
    private let reusing: Bool
    /// Where a variable's tile goes in its level array (a layer of a (time, level, y, x) array
    /// at its level: one layer per tile).
    private let levelIndexing: CubePlan

    /// The key of the levels description xcube reads.
    static let levelsKey = ".zlevels"
    /// The file that marks a levels folder as CubeGen's own (so a rebuild may empty it).
    static let markerKey = ".cubegen-pyramid"

    /// `NAME.levels` beside an output `NAME.zarr` (or `PATH.levels` beside any other `PATH`).
    static func location(ofCube path: String) -> String {
        var base = path
        while base.hasSuffix("/") { base.removeLast() }
        if base.hasSuffix(".zarr") { base.removeLast(5) }
        return base + ".levels"
    }

    private init(layout: PyramidLayout, tiles: PyramidTiles, location: String, storage: any Storage, writes: WriteQueue,
                 encoders: [[ChunkEncoder]], dirtySteps: Set<Int>?, reusing: Bool, levelIndexing: CubePlan) {
        self.levelIndexing = levelIndexing
        self.layout = layout
        self.tiles = tiles
        self.location = location
        self.storage = storage
        self.writes = writes
        self.encoders = encoders
        self.dirtySteps = dirtySteps
        self.reusing = reusing
    }

    /// Opens the pyramid of `plan` for writing, or returns `nil` when the recipe asks for none.
    /// - Parameters:
    ///   - published: the published cube, when there is one.
    ///   - update: the run updates the published cube in place (an incremental run): a finished
    ///     pyramid of that cube is kept and only `pendingSteps`' tiles are rewritten.
    ///   - pendingSteps: the time steps of the tasks this run computes.
    /// - Throws: `CubeError` when the levels location holds something CubeGen did not write, or
    ///   cannot be written.
    static func open(plan: CubePlan, registry: StorageRegistry, options: StorageOptions, published: (any Storage)?, update: Bool,
                     pendingSteps: Set<Int>, ioConcurrency: Int) async throws -> PyramidWriter? {
        guard let layout = PyramidLayout(plan: plan) else { return nil }
        let location = PyramidWriter.location(ofCube: plan.recipe.output.path)
        let storage: any Storage
        do {
            storage = try registry.openWritable(try StorageURL(location), options: options)
        } catch {
            throw CubeError(.invalidRecipe, "output.pyramid: cannot open '\(location)': \(error)", context: ["path": location])
        }
        let existing = try await storage.list(prefix: "")
        if !existing.isEmpty, !existing.contains(StoreKey(markerKey)) {
            throw CubeError(.outputExists,
                "output.pyramid: '\(location)' exists and was not written by CubeGen; move it away, nothing was touched",
                context: ["path": location])
        }
        var reusing = false
        if update, let published, let finished = try await storage.get(StoreKey(levelsKey)),
           let document = try? JSONValue.parse(finished), let cube = try await published.get(StoreKey(CubeExecutor.finalizedKey)) {
            let digest = String(decoding: cube, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
            reusing = document["cubegen_cube_digest"]?.stringValue == digest
                && document["cubegen_layout"]?.stringValue == PyramidWriter.signature(plan, layout)
        }
        do {
            if reusing {
                try await storage.delete(StoreKey(levelsKey))
            } else if !existing.isEmpty {
                try await storage.erase(prefix: "")
            }
            try await storage.set(StoreKey(markerKey), to: Array("written by cubegen: the pyramid of ../\(URL(fileURLWithPath: plan.recipe.output.path).lastPathComponent)\n".utf8))
        } catch {
            throw CubeError(.io, "output.pyramid: cannot prepare '\(location)': \(error)", context: ["path": location], underlying: error)
        }
        let codecs = try CubeMetadataBuilder.codecs(plan)
        var encoders: [[ChunkEncoder]] = [[]]
        for k in layout.levels.indices.dropFirst() {
            let levelPlan = PyramidWriter.levelPlan(plan, layout, k)
            encoders.append(try plan.variables.map { variable in
                let spec = try CubeMetadataBuilder.dataArray(levelPlan, variable, attributes: .object([]), codecs: codecs)
                return ChunkEncoder(dataType: variable.dataType, scaleFactor: variable.scaleFactor, addOffset: variable.addOffset,
                                    fillValue: variable.fillValue, writer: try ZarrChunkWriter(spec: spec, format: plan.format))
            })
        }
        let tiles = PyramidTiles(layout: layout, width: plan.grid.width, height: plan.grid.height,
                                 regionRows: plan.taskShape.y, regionColumns: plan.taskShape.x)
        return PyramidWriter(layout: layout, tiles: tiles, location: location, storage: storage,
                             writes: WriteQueue(storage: storage, limit: ioConcurrency), encoders: encoders,
                             dirtySteps: reusing ? pendingSteps : nil, reusing: reusing, levelIndexing: plan.oneLayerPerChunk)
    }

    /// Whether the pyramid `plan` asks for is finished for the cube of `cubeDigest` (true when
    /// none is asked for): an up-to-date cube with a missing or unfinished pyramid is built again.
    static func isFinished(plan: CubePlan, registry: StorageRegistry, options: StorageOptions, cubeDigest: String) async throws -> Bool {
        guard let layout = PyramidLayout(plan: plan) else { return true }
        let location = PyramidWriter.location(ofCube: plan.recipe.output.path)
        guard let storage = try? registry.openWritable(try StorageURL(location), options: options),
              let bytes = try await storage.get(StoreKey(levelsKey)), let document = try? JSONValue.parse(bytes) else { return false }
        return document["cubegen_cube_digest"]?.stringValue == cubeDigest
            && document["cubegen_layout"]?.stringValue == PyramidWriter.signature(plan, layout)
    }

    /// Whether this run writes the tiles of time step `step`.
    func writes(step: Int) -> Bool { dirtySteps?.contains(step) ?? true }

    /// Adds a task region's level-0 values (as stored: packed and unpacked again) of one variable
    /// and time step, and writes the tiles this finishes.
    func add(variable: Int, step: Int, rows: Range<Int>, columns: Range<Int>, plane: [Float]) async throws {
        guard writes(step: step) else { return }
        for (key, values) in tiles.add(variable: variable, step: step, rows: rows, columns: columns, plane: plane) {
            let index = levelIndexing.arrayIndex(levelIndexing.variables[key.variable], [key.step, key.tileY, key.tileX])
            let (unit, _) = try encoders[key.level][key.variable].encode(values, at: index)
            let storeKey = StoreKey("\(key.level).zarr/\(unit.key)")
            if let bytes = unit.bytes {
                try await writes.submit(storeKey, bytes)
            } else if reusing {
                try await storage.delete(storeKey)
            }
        }
    }

    /// Waits for the tile writes in flight (after a failure, before cleaning up).
    func drain() async throws { try await writes.drain() }

    /// Waits for the tile writes, then writes every level's metadata (coordinates, CF
    /// attributes with the level's `proj:`/`spatial:` conventions, consolidated metadata),
    /// `0.link`, the levels group's zarr-conventions attributes (`PyramidConventions`) and
    /// `.zlevels` last.
    /// - Throws: `CubeError` (`.internalInconsistency`) when a tile never got all its contributions.
    func finish(plan: CubePlan, extent: GeographicExtent, created: String, lineage: Lineage, cubeDigest: String) async throws {
        try await writes.drain()
        let left = tiles.openCount
        guard left == 0 else {
            throw CubeError(.internalInconsistency, "output.pyramid: \(left) tiles of '\(location)' did not get all their values")
        }
        for k in layout.levels.indices.dropFirst() {
            let built = try CubeMetadataBuilder(plan: PyramidWriter.levelPlan(plan, layout, k), extent: extent,
                                                created: created, lineage: lineage).build()
            var hierarchy = built.hierarchy
            let coordinateChunks = built.coordinateChunks
            for (name, value) in PyramidConventions.level(plan, layout, k) { hierarchy.attributes = hierarchy.attributes.setting(name, value) }
            for (key, bytes) in coordinateChunks { try await storage.set(StoreKey("\(k).zarr/\(key)"), to: bytes) }
            let consolidated = try hierarchy.consolidated()
            for (key, document) in try hierarchy.documents() where key != consolidated.key {
                try await storage.set(StoreKey("\(k).zarr/\(key)"), to: document.bytes)
            }
            try await storage.set(StoreKey("\(k).zarr/\(consolidated.key)"), to: consolidated.document.bytes)
        }
        let cubeName = URL(fileURLWithPath: plan.recipe.output.path).lastPathComponent
        try await storage.set(StoreKey("0.link"), to: Array("../\(cubeName)".utf8))
        for (key, bytes) in PyramidConventions.groupDocuments(plan, layout) { try await storage.set(StoreKey(key), to: bytes) }
        let description = JSONValue.object([
            ("version", .string("1.0")),
            ("num_levels", .int(Int64(layout.levels.count))),
            ("tile_size", .array([.int(Int64(layout.tile)), .int(Int64(layout.tile))])),
            ("agg_methods", .object(layout.arrayMethods(plan).map { ($0.name, .string($0.method.rawValue)) })),
            ("use_saved_levels", .bool(false)),
            ("cubegen_cube_digest", .string(cubeDigest)),
            ("cubegen_layout", .string(PyramidWriter.signature(plan, layout))),
        ])
        try await storage.set(StoreKey(PyramidWriter.levelsKey), to: Array(description.serialized(indent: 2).utf8))
    }

    /// The plan of level `k`: the cube's plan on the level's grid (pixels `2^k` times larger,
    /// same top-left corner for a north-up grid), chunked `(1, tile, tile)` (`(1, 1, tile, tile)`
    /// with a level or member axis), not sharded.
    static func levelPlan(_ plan: CubePlan, _ layout: PyramidLayout, _ k: Int) -> CubePlan {
        let level = layout.levels[k]
        var levelPlan = plan.oneLayerPerChunk
        var grid = plan.grid
        grid.xResolution *= Double(level.factor)
        grid.yResolution *= Double(level.factor)
        grid.width = level.width
        grid.height = level.height
        if grid.yAxis == .descending { grid.yMin = plan.grid.yMax - Double(level.height) * grid.yResolution }
        levelPlan.grid = grid
        levelPlan.chunkShape = ChunkShape(time: 1, y: level.tileY, x: level.tileX)
        levelPlan.shardShape = nil
        return levelPlan
    }

    /// What a kept pyramid's tiles depend on besides the cube's values: levels, tiles, methods,
    /// the variables' storage, format and compressor.
    static func signature(_ plan: CubePlan, _ layout: PyramidLayout) -> String {
        let levels = layout.levels.map { "\($0.width)x\($0.height)/\($0.tileX)x\($0.tileY)" }.joined(separator: ",")
        let variables = zip(plan.variables, layout.methods).map { variable, method in
            "\(variable.name):\(variable.dataType.rawValue):\(variable.scaleFactor ?? 1):\(variable.addOffset ?? 0):\(variable.fillValue):\(method.rawValue)"
        }.joined(separator: ",")
        return "levels \(levels); variables \(variables); \(plan.format); \(plan.compressor.configurationText ?? "none"); checksum \(plan.checksum)"
    }
}
