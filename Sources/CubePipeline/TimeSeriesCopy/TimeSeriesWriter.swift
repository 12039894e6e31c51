import CubeCatalog
import CubeCore
import CubeRecipe
import CubeStorage
import Foundation
import Zarr

/// Writes the time-series copy `NAME.ts.zarr` of a cube in the same run: the same variables,
/// coordinates and attributes, chunked long in time and small in space (`output.timeseries`), so
/// a time series at a point reads one chunk instead of one per time block.
///
/// Chunks are gathered from the planes the tasks produce (`TimeSeriesChunks`, earlier time
/// blocks' parts spilled to a temporary file) and encoded and written as soon as complete, by
/// the task that completes them; chunks this run did not compute (resumed or updated runs) are read back from the
/// cube for it. Every run that writes the cube rewrites the copy whole; `.cubegen-timeseries`
/// (the cube digest) is written last, after the consolidated metadata, so an unfinished copy is
/// never taken for a finished one.
final class TimeSeriesWriter: Sendable {
    let location: String
    let storage: any Storage
    let chunks: TimeSeriesChunks
    private let writes: WriteQueue
    private let encoders: [ChunkEncoder]
    /// Where a variable's chunk goes in the copy's array (a layer of a (time, level, y, x) array
    /// at its level: one layer per chunk).
    private let copyIndexing: CubePlan

    /// The file marking the folder as CubeGen's copy; holds the cube digest once finished.
    static let markerKey = ".cubegen-timeseries"
    /// The most memory the open chunk parts may take (a task time block of the grid): 2 GiB or a
    /// quarter of the memory, whichever is less; `CUBEGEN_TIMESERIES_MEMORY_MB` overrides it.
    static var memoryBudget: Int {
        if let mb = ProcessInfo.processInfo.environment["CUBEGEN_TIMESERIES_MEMORY_MB"].flatMap(Int.init) { return mb << 20 }
        return min(2 << 30, Int(ProcessInfo.processInfo.physicalMemory / 4))
    }

    /// Refuses, before anything is touched, a copy whose open chunk parts would not fit `memoryBudget`.
    /// - Throws: `CubeError` (`.invalidRecipe`) naming `output.timeseries.chunks.time` and the sizes.
    static func checkMemory(_ plan: CubePlan) throws {
        guard let shape = shape(plan) else { return }
        let bytes = TimeSeriesChunks.openBytes(shape: shape, blockSteps: plan.taskShape.time, width: plan.grid.width,
                                               height: plan.grid.height, variables: plan.variables.count)
        let budget = memoryBudget
        guard bytes <= budget else {
            throw CubeError(.invalidRecipe,
                "output.timeseries.chunks.time: \(min(shape.time, plan.taskShape.time)) steps of the whole grid take \(bytes >> 20) MiB while the copy is gathered (at most \(budget >> 20) MiB); give fewer time steps per chunk (or per output chunk)",
                context: ["path": location(ofCube: plan.recipe.output.path)])
        }
    }

    /// `NAME.ts.zarr` beside `NAME.zarr`.
    static func location(ofCube path: String) -> String {
        var base = path
        while base.hasSuffix("/") { base.removeLast() }
        if base.hasSuffix(".zarr") { base.removeLast(5) }
        return base + ".ts.zarr"
    }

    /// The copy's chunk shape: the recipe's sizes (`y`/`x` or the cube's dimension names),
    /// defaults 512 × 32 × 32, each clipped to the dimension.
    static func shape(_ plan: CubePlan) -> (time: Int, y: Int, x: Int)? {
        guard let given = plan.recipe.output.timeSeriesChunks else { return nil }
        let (xName, yName) = plan.spatialNames
        return (max(1, min(given["time"] ?? 512, plan.time.count)), min(given[yName] ?? given["y"] ?? 32, plan.grid.height),
                min(given[xName] ?? given["x"] ?? 32, plan.grid.width))
    }

    private init(location: String, storage: any Storage, chunks: TimeSeriesChunks, writes: WriteQueue, encoders: [ChunkEncoder],
                 copyIndexing: CubePlan) {
        self.copyIndexing = copyIndexing
        self.location = location
        self.storage = storage
        self.chunks = chunks
        self.writes = writes
        self.encoders = encoders
    }

    /// Opens the copy for writing (emptying what an earlier run of CubeGen left), or `nil` when
    /// the recipe asks for none.
    /// - Throws: `CubeError` when the location holds something CubeGen did not write, or when the
    ///   open chunks would take more than `memoryBudget`.
    static func open(plan: CubePlan, registry: StorageRegistry, options: StorageOptions, ioConcurrency: Int) async throws -> TimeSeriesWriter? {
        guard let shape = shape(plan) else { return nil }
        let location = TimeSeriesWriter.location(ofCube: plan.recipe.output.path)
        try checkMemory(plan)
        let storage: any Storage
        do {
            storage = try registry.openWritable(try StorageURL(location), options: options)
        } catch {
            throw CubeError(.invalidRecipe, "output.timeseries: cannot open '\(location)': \(error)", context: ["path": location])
        }
        let existing = try await storage.list(prefix: "")
        if !existing.isEmpty, !existing.contains(StoreKey(markerKey)) {
            throw CubeError(.outputExists,
                "output.timeseries: '\(location)' exists and was not written by CubeGen; move it away, nothing was touched",
                context: ["path": location])
        }
        do {
            if !existing.isEmpty { try await storage.erase(prefix: "") }
            try await storage.set(StoreKey(markerKey), to: Array("unfinished\n".utf8))
        } catch {
            throw CubeError(.io, "output.timeseries: cannot prepare '\(location)': \(error)", context: ["path": location], underlying: error)
        }
        let copyPlan = TimeSeriesWriter.copyPlan(plan, shape)
        let codecs = try CubeMetadataBuilder.codecs(plan)
        let encoders = try plan.variables.map { variable in
            let spec = try CubeMetadataBuilder.dataArray(copyPlan, variable, attributes: .object([]), codecs: codecs)
            return ChunkEncoder(dataType: variable.dataType, scaleFactor: variable.scaleFactor, addOffset: variable.addOffset,
                                fillValue: variable.fillValue, writer: try ZarrChunkWriter(spec: spec, format: plan.format))
        }
        let chunks = try TimeSeriesChunks(shape: shape, steps: plan.time.count, width: plan.grid.width, height: plan.grid.height,
                                      regionRows: plan.taskShape.y, regionColumns: plan.taskShape.x, blockSteps: plan.taskShape.time)
        return TimeSeriesWriter(location: location, storage: storage, chunks: chunks,
                                writes: WriteQueue(storage: storage, limit: ioConcurrency), encoders: encoders, copyIndexing: copyPlan)
    }

    /// Whether the copy `plan` asks for is finished for the cube of `cubeDigest` (true when none is asked for).
    static func isFinished(plan: CubePlan, registry: StorageRegistry, options: StorageOptions, cubeDigest: String) async throws -> Bool {
        guard shape(plan) != nil else { return true }
        guard let storage = try? registry.openWritable(try StorageURL(location(ofCube: plan.recipe.output.path)), options: options),
              let bytes = try await storage.get(StoreKey(markerKey)) else { return false }
        return String(decoding: bytes, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines) == cubeDigest
    }

    /// Adds one step of one task region (values as stored) and writes the chunks it finishes.
    func add(variable: Int, step: Int, rows: Range<Int>, columns: Range<Int>, plane: [Float]) async throws {
        for (key, values) in try chunks.add(variable: variable, step: step, rows: rows, columns: columns, plane: plane) {
            let index = copyIndexing.arrayIndex(copyIndexing.variables[key.variable], [key.t, key.y, key.x])
            let (unit, _) = try encoders[key.variable].encode(values, at: index)
            if let bytes = unit.bytes { try await writes.submit(StoreKey(unit.key), bytes) }
        }
    }

    /// Waits for the chunk writes in flight.
    func drain() async throws { try await writes.drain() }

    /// Waits for the chunk writes, then writes the metadata (consolidated last) and the marker.
    func finish(plan: CubePlan, extent: GeographicExtent, created: String, lineage: Lineage, cubeDigest: String) async throws {
        try await writes.drain()
        let left = chunks.openCount
        guard left == 0, let shape = TimeSeriesWriter.shape(plan) else {
            throw CubeError(.internalInconsistency, "output.timeseries: \(left) chunks of '\(location)' did not get all their values")
        }
        var (hierarchy, coordinateChunks) = try CubeMetadataBuilder(plan: TimeSeriesWriter.copyPlan(plan, shape), extent: extent,
                                                                   created: created, lineage: lineage).build()
        // The cube's attributes, its pyramid conventions included (same grid).
        for (name, value) in PyramidConventions.cubeAttributes(plan) { hierarchy.attributes = hierarchy.attributes.setting(name, value) }
        for (key, bytes) in coordinateChunks { try await storage.set(StoreKey(key), to: bytes) }
        let consolidated = try hierarchy.consolidated()
        for (key, document) in try hierarchy.documents() where key != consolidated.key {
            try await storage.set(StoreKey(key), to: document.bytes)
        }
        try await storage.set(StoreKey(consolidated.key), to: consolidated.document.bytes)
        try await storage.set(StoreKey(TimeSeriesWriter.markerKey), to: Array((cubeDigest + "\n").utf8))
    }

    /// The cube's plan with the copy's chunks (one layer each along a level or member axis), not sharded.
    static func copyPlan(_ plan: CubePlan, _ shape: (time: Int, y: Int, x: Int)) -> CubePlan {
        var copy = plan.oneLayerPerChunk
        copy.chunkShape = ChunkShape(time: shape.time, y: shape.y, x: shape.x)
        copy.shardShape = nil
        return copy
    }
}
