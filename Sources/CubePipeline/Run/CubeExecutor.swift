import CubeCatalog
import CubeCore
import CubeCrypto
import CubeRecipe
import CubeResampling
import CubeStorage
import Foundation
import Synchronization
import Zarr

/// Runs a plan: one task per output chunk (or shard) region (every variable of it), `workers` at a time,
/// then the metadata, then the move into place. Stage 5 of the pipeline.
///
/// Each chunk is computed from the same inputs whatever the worker count, and written once by one
/// task, so the bytes do not depend on `workers`. Memory stays within the workers' chunk buffers
/// plus the bounded caches.
struct CubeExecutor: Sendable {
    let plan: CubePlan
    let registries: Registries
    let workers: Int
    let overwrite: Bool
    let cacheBudget: Int
    /// Chunk writes in flight at once, separate from the CPU workers.
    let ioConcurrency: Int
    /// This process's share of the tasks; with a share of several, no metadata is written.
    let shard: ShardSelection
    /// Ignore recorded tasks and an up-to-date cube: compute everything.
    let force: Bool
    /// Compute nothing: check that every task is recorded, then write the metadata (`cubegen finalize`).
    let finalizeOnly: Bool
    let progress: (@Sendable (ProgressEvent) -> Void)?

    private final class Shared: Sendable {
        let storage: any Storage
        /// Chunk puts in the background, `ioConcurrency` at once.
        let writes: WriteQueue
        /// Task records, one object per task.
        let manifest: TaskManifest
        /// What each task's chunks depend on, per task index and variable.
        let digests: [[Int]: [String: String]]
        let encoders: [ChunkEncoder]
        let readers: ReaderPool
        let planes: AsyncCache<PlaneKey, SourcePlane>
        let mappings: AsyncCache<MappingKey, PixelMapping>
        /// Cell-grid resampling weights shared by the time blocks of a region (`SharedWeightsKey`).
        let weights: AsyncCache<SharedWeightsKey, ResamplingWeights>
        let transforms: TransformPool
        let stored: Mutex<Int>
        /// The last time step's values the quick-looks show, when they are written.
        let quicklooks: QuicklookCapture?

        init(storage: any Storage, writes: WriteQueue, digests: [[Int]: [String: String]], encoders: [ChunkEncoder], readers: ReaderPool,
             planes: AsyncCache<PlaneKey, SourcePlane>, mappings: AsyncCache<MappingKey, PixelMapping>, transforms: TransformPool,
             quicklooks: QuicklookCapture?) {
            self.storage = storage
            self.writes = writes
            self.manifest = TaskManifest(storage: storage)
            self.digests = digests
            self.encoders = encoders
            self.readers = readers
            self.planes = planes
            self.mappings = mappings
            self.weights = AsyncCache(budget: CubeExecutor.sharedWeightsBudget, cost: { $0.bytes })
            self.transforms = transforms
            self.stored = Mutex(0)
            self.quicklooks = quicklooks
        }
    }

    /// Runs the three phases: prepare (the output, the task digests, the recorded tasks still
    /// valid), fill (this shard's tasks that are not recorded), finalize (every task recorded →
    /// coordinates, lineage, quick-looks, checksums, metadata last, publish, STAC). A cube whose
    /// every task and metadata are recorded as this plan would make them is up to date: nothing
    /// is written.
    func run() async throws -> RunReport {
        let start = Date()
        try TimeSeriesWriter.checkMemory(plan)
        let options = StorageOptions(plan.recipe.output.storageOptions)
        let target = try OutputTargets.make(path: plan.recipe.output.path, options: options, registry: registries.storage)
        let plan = self.plan
        let tasks = plan.tasks
        // Every task's digests, once: the up-to-date check, the record check and the records use them.
        let digests = TaskDigests.all(plan)
        let cubeDigest = CubeExecutor.cubeDigest(plan, digests: digests)
        // A live run is named before anything it may be writing or publishing this moment is read.
        try await OutputLease.checkFree(target)
        let published = try await target.published()
        if !force && !finalizeOnly && shard == .all, let published, try await CubeExecutor.isUpToDate(published, digest: cubeDigest),
           try await target.unfinished() == nil,
           try await PyramidWriter.isFinished(plan: plan, registry: registries.storage, options: options, cubeDigest: cubeDigest),
           try await TimeSeriesWriter.isFinished(plan: plan, registry: registries.storage, options: options, cubeDigest: cubeDigest) {
            return RunReport(outputPath: CatalogLayout.text(target.url), tasks: 0, chunksWritten: 0, bytes: plan.outputBytes,
                             storedBytes: 0, elapsed: Date().timeIntervalSince(start), clippedValues: [:], planeCacheHits: 0,
                             planeReads: 0, tasksSkipped: tasks.count, upToDate: true)
        }
        let layout = CubeLayout(plan: plan)
        var update = false
        if let published { update = try await CubeExecutor.canUpdate(published, to: layout, target: target, overwrite: overwrite) }
        try await target.check(overwrite: overwrite, update: update)
        // One plain run (or finalize) at a time; shards only check that none is under way.
        let lease = shard == .all ? try await OutputLease.acquire(target) : nil
        do {
            let report = try await build(target: target, layout: layout, update: update, digests: digests, cubeDigest: cubeDigest,
                                         options: options, start: start)
            await lease?.release()
            return report
        } catch {
            await lease?.release()
            throw error
        }
    }

    /// Prepare (the output, the recorded tasks still valid), fill and finalize, under the lease.
    private func build(target: any OutputTarget, layout: CubeLayout, update: Bool, digests: [[Int]: [String: String]], cubeDigest: String,
                       options: StorageOptions, start: Date) async throws -> RunReport {
        let tasks = plan.tasks
        let catalogue = CatalogWriter.layout(cube: target.url, catalogPath: plan.recipe.catalog.path)
        for file in [catalogue.collection, catalogue.item] {
            try await CatalogWriter.checkReplaceable(file, registry: registries.storage, options: options)
        }
        let storage = try await target.prepare(overwrite: overwrite, keep: !force, update: update)
        let writes = WriteQueue(storage: storage, limit: ioConcurrency)
        // Input fingerprints, PROJ descriptions and scales for the lineage, gathered while the cube is built.
        let facts = shard == .all ? Task.detached(priority: .utility) { try await LineageFacts.gather(plan) } : nil
        defer { facts?.cancel() }
        var pyramid: PyramidWriter?, timeSeries: TimeSeriesWriter?
        do {
            let shared = Shared(
                storage: storage, writes: writes, digests: digests, encoders: try encoders(), readers: ReaderPool(sources: plan.sources),
                planes: AsyncCache(budget: cacheBudget, cost: { $0.bytes }),
                mappings: AsyncCache(budget: 256 << 20, cost: { $0.column.count * 16 }),
                transforms: TransformPool(target: plan.grid.crs),
                quicklooks: plan.recipe.catalog.quicklooks && plan.time.count > 0
                    ? QuicklookCapture(step: plan.time.count - 1, width: plan.grid.width, height: plan.grid.height,
                                       variables: plan.variables.count)
                    : nil)
            // Recorded tasks that are still valid (same digests, every object present), whole or
            // for some of their variables (the others are recomputed).
            let (recordedTasks, partial) = force ? ([:], [:]) : try await validRecords(shared.manifest, storage: storage, digests: digests)
            var recorded = recordedTasks
            let pending = finalizeOnly ? [] : tasks.enumerated().filter { position, region in
                shard.contains(position, of: tasks.count) && recorded[CubeExecutor.index(region)] == nil
            }.map(\.element)
            let skipped = shard.range(of: tasks.count).count - pending.count
            // The pyramid is built by plain runs and `finalize` (a shard sees only part of each tile).
            if shard == .all {
                pyramid = try await PyramidWriter.open(plan: plan, registry: registries.storage, options: options,
                                                       published: try await target.published(), update: update,
                                                       pendingSteps: Set(pending.flatMap { Array($0.times) }), ioConcurrency: ioConcurrency)
            }
            if shard == .all {
                timeSeries = try await TimeSeriesWriter.open(plan: plan, registry: registries.storage, options: options,
                                                             ioConcurrency: ioConcurrency)
            }
            let levels = pyramid, series = timeSeries
            PhaseMarks.mark("tasks")
            var done = 0, bytesDone = 0, chunksComputed = 0
            // Per task, the variables computed by this process (the others are read back for the quick-looks).
            var computed: [[Int]: Set<String>] = [:]
            // Input files are closed once the last pending task reading them is done.
            var filesOfTask: [[Int]: [ReaderPool.Key]] = [:]
            for region in pending { filesOfTask[CubeExecutor.index(region)] = ReaderPool.files(of: region, in: plan) }
            await shared.readers.expect(Array(filesOfTask.values))
            try await withThrowingTaskGroup(of: (bytes: Int, record: TaskRecord, variables: Set<String>).self) { group in
                var queue = pending.makeIterator()
                func launch(_ region: ChunkRegion) {
                    let kept = partial[CubeExecutor.index(region)]
                    group.addTask { try await self.fill(region, shared, keeping: kept, pyramid: levels, timeSeries: series) }
                }
                for _ in 0..<workers {
                    guard let region = queue.next() else { break }
                    launch(region)
                }
                while let (bytes, record, variables) = try await group.next() {
                    done += 1
                    bytesDone += bytes
                    chunksComputed += variables.count
                    recorded[record.task] = record
                    computed[record.task] = variables
                    if let files = filesOfTask[record.task] { await shared.readers.finished(files) }
                    progress?(ProgressEvent(tasksDone: done, tasksTotal: pending.count, bytesDone: bytesDone,
                                            elapsed: Date().timeIntervalSince(start)))
                    try Task.checkCancellation()
                    if let region = queue.next() { launch(region) }
                }
            }
            try await shared.writes.drain()
            var report = RunReport(outputPath: CatalogLayout.text(target.url), tasks: pending.count,
                                   chunksWritten: chunksComputed, bytes: plan.outputBytes,
                                   storedBytes: shared.stored.withLock { $0 }, elapsed: 0, clippedValues: [:],
                                   planeCacheHits: await shared.planes.hits, planeReads: await shared.planes.misses,
                                   outputValues: plan.time.count * plan.grid.height * plan.grid.width * plan.variables.count,
                                   tasksSkipped: skipped)
            guard shard == .all else {
                // A shard writes no metadata: `cubegen finalize` does, once every shard is done.
                report.elapsed = Date().timeIntervalSince(start)
                report.shard = shard
                return report
            }
            let missing = tasks.map(CubeExecutor.index).filter { recorded[$0] == nil }
            if !missing.isEmpty {
                let shown = missing.prefix(5).map { "[\($0.map(String.init).joined(separator: ", "))]" }.joined(separator: ", ")
                throw CubeError(.invalidInput,
                    "cannot finalize '\(target.location)': \(missing.count) of \(tasks.count) tasks are not recorded (\(shown)\(missing.count > 5 ? ", …" : "")); run the missing shards first",
                    context: ["path": target.location])
            }
            let records = tasks.map { recorded[CubeExecutor.index($0)]! }
            if pyramid != nil || timeSeries != nil {
                // Chunks not computed here (recorded tasks, kept variables) feed the pyramid tiles
                // of the steps that change and the time-series copy.
                let names = Set(plan.variables.map(\.name))
                try await readBack(into: pyramid, timeSeries: timeSeries,
                                   tasks: tasks.map { ($0, names.subtracting(computed[CubeExecutor.index($0)] ?? [])) },
                                   storage: storage, encoders: shared.encoders)
            }
            let created = CubeExecutor.creationDate()
            PhaseMarks.mark("finalize")
            let gathered = try await (facts ?? Task.detached(priority: .utility) { try await LineageFacts.gather(plan) }).value
            let clipped = plan.variables.map { variable in records.reduce(0) { $0 + ($1.clipped[variable.name] ?? 0) } }
            let empty = plan.variables.map { variable in
                records.flatMap { $0.empty[variable.name] ?? [] }.sorted { $0.lexicographicallyPrecedes($1) }
            }
            let lineage = LineageBuilder(plan: plan, created: created, facts: gathered, emptyChunks: empty, clipped: clipped).build()
            let catalog = CatalogWriter(plan: plan, lineage: lineage)
            var checksums = ChunkChecksums()
            for record in records {
                for (key, object) in record.objects { checksums.record(key, digest: object.sha256) }
            }
            var kept = Set(checksums.digests.keys)
            kept.formUnion(records.map { TaskRecord.key($0.task) })
            try await target.beforeMetadata(written: kept)
            // Everything but the metadata documents first; the consolidated metadata last (the
            // commit point on object storage).
            var (hierarchy, coordinateChunks) = try CubeMetadataBuilder(plan: plan, extent: gathered.extent, created: created,
                                                                       lineage: lineage).build()
            // With a pyramid the cube is its level 0: it carries the level's proj:/spatial: conventions too.
            for (name, value) in PyramidConventions.cubeAttributes(plan) { hierarchy.attributes = hierarchy.attributes.setting(name, value) }
            for (key, bytes) in coordinateChunks {
                try await storage.set(StoreKey(key), to: bytes)
                checksums.record(key, bytes: bytes)
            }
            try await writeArrayDocuments(storage, hierarchy)
            try await catalog.writeLineage(storage)
            var quicklooks: [(variable: String, key: String)] = []
            if let capture = shared.quicklooks {
                let names = Set(plan.variables.map(\.name))
                try await readBack(into: capture, tasks: tasks.map { ($0, names.subtracting(computed[CubeExecutor.index($0)] ?? [])) },
                                   storage: storage, encoders: shared.encoders)
                quicklooks = try await catalog.writeQuicklooks(storage, capture: capture)
            }
            try await storage.set(StoreKey(ChunkChecksums.key), to: Array(checksums.text.utf8))
            try await storage.set(StoreKey(CubeLayout.key), to: layout.bytes)
            try await storage.set(StoreKey(CubeExecutor.finalizedKey), to: Array((cubeDigest + "\n").utf8))
            try await writeRootDocuments(storage, hierarchy)
            try await target.publish()
            try await pyramid?.finish(plan: plan, extent: gathered.extent, created: created, lineage: lineage, cubeDigest: cubeDigest)
            try await timeSeries?.finish(plan: plan, extent: gathered.extent, created: created, lineage: lineage, cubeDigest: cubeDigest)
            let layout = try await catalog.writeSTAC(cube: target.url, quicklooks: quicklooks, extent: gathered.extent,
                                                     storage: registries.storage, options: options)
            report.elapsed = Date().timeIntervalSince(start)
            report.clippedValues = Dictionary(uniqueKeysWithValues: zip(plan.variables.map(\.name), clipped).filter { $0.1 > 0 })
            report.catalogPath = CatalogLayout.text(layout.collection)
            report.itemPath = CatalogLayout.text(layout.item)
            return report
        } catch {
            // The background lineage work (file hashing through libcrypto, PROJ) stops before the
            // error leaves the run: a process exiting while it still ran crashed in OpenSSL's exit cleanup.
            facts?.cancel()
            _ = await facts?.result
            // Writes still in flight land before anything is cleaned up.
            try? await writes.drain()
            try? await pyramid?.drain()
            try? await timeSeries?.drain()
            let left = await target.discard()
            if error is CancellationError {
                throw CubeError(.cancelled, "the run was cancelled; nothing was published" + (left.map { "; \($0)" } ?? ""))
            }
            var failure = error as? CubeError
                ?? (error as? StorageError).map { CubeError(.storage, "\($0)", context: ["location": $0.location], underlying: $0) }
                ?? CubeError(.io, "\(error)", underlying: error)
            if let left { failure.message += "; \(left)" }
            throw failure
        }
    }

    /// `CUBEGEN_BENCH_NO_TASK_RECORDS=1`: write no task records and read none, for
    /// `scripts/bench-batch.sh` to measure what the manifest costs (such a run cannot be resumed,
    /// updated or sharded; never set it otherwise).
    static let benchmarkWithoutRecords = ProcessInfo.processInfo.environment["CUBEGEN_BENCH_NO_TASK_RECORDS"] == "1"

    /// The key of the finalized cube's digest (`cubeDigest`), written before its metadata.
    static let finalizedKey = ".cubegen/finalized"

    /// The digest of a whole cube: the normalised recipe (metadata, catalogue settings) and every
    /// task's digests.
    static func cubeDigest(_ plan: CubePlan, digests: [[Int]: [String: String]]) -> String {
        var hasher = SHA256()
        hasher.update(Array("cubegen \(CubeGenVersion.current)\n".utf8))
        hasher.update(Array(RecipeNormalizer.normalize(plan).serialized().utf8))
        for region in plan.tasks {
            for (name, digest) in (digests[index(region)] ?? [:]).sorted(by: { $0.key < $1.key }) {
                hasher.update(Array("\(index(region)) \(name) \(digest)\n".utf8))
            }
        }
        return ByteEncoding.hex(hasher.finalize())
    }

    /// Whether the published cube in `storage` may be updated in place to `layout` (an incremental
    /// run): it was made by CubeGen with a layout record and nothing but appended steps, inputs
    /// and variables or changed values differ. A cube that cannot be updated is replaced only with
    /// `overwrite`.
    /// - Throws: `CubeError` (`.outputExists`) naming every change when the cube cannot be
    ///   updated in place and `overwrite` is not set.
    static func canUpdate(_ published: any Storage, to layout: CubeLayout, target: any OutputTarget, overwrite: Bool) async throws -> Bool {
        guard let bytes = try await published.get(StoreKey(CubeLayout.key)), let old = CubeLayout(bytes: bytes) else { return false }
        let changes = layout.changes(from: old)
        if changes.isEmpty { return true }
        if overwrite { return false }
        throw CubeError(.outputExists,
            "output '\(target.location)' already exists and cannot be updated in place: \(changes.joined(separator: "; ")); pass --overwrite (or set output.overwrite: true) to rebuild it",
            context: ["path": target.location])
    }

    /// The records in `manifest` still valid for this plan: whole tasks, and tasks of which only
    /// some variables are (their records cut down to those).
    private func validRecords(_ manifest: TaskManifest, storage: any Storage, digests: [[Int]: [String: String]]) async throws
        -> (whole: [[Int]: TaskRecord], partial: [[Int]: TaskRecord]) {
        var whole: [[Int]: TaskRecord] = [:], partial: [[Int]: TaskRecord] = [:]
        if CubeExecutor.benchmarkWithoutRecords { return (whole, partial) }
        let present = Set(try await storage.list(prefix: "").map(\.rawValue))
        for (index, record) in try await manifest.records() {
            guard let wanted = digests[index] else { continue }   // a task outside this plan
            let valid = Set(wanted.filter { name, digest in
                record.digests[name] == digest && record.objects(of: name).allSatisfy(present.contains)
            }.keys)
            if valid.count == wanted.count && record.digests.count == wanted.count {
                whole[index] = record
            } else if !valid.isEmpty {
                partial[index] = record.keeping(valid)
            }
        }
        return (whole, partial)
    }

    /// Whether the published cube in `storage` was finalized from exactly this plan and inputs.
    static func isUpToDate(_ storage: any Storage, digest: String) async throws -> Bool {
        guard let bytes = try await storage.get(StoreKey(finalizedKey)) else { return false }
        return String(decoding: bytes, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines) == digest
    }

    /// A task's chunk (or shard) index.
    static func index(_ region: ChunkRegion) -> [Int] { [region.index.t, region.index.y, region.index.x] }

    /// Fills the quick-look capture for the variables of `tasks` not computed in this process
    /// from the stored chunks holding the last time step: the same values a computed task records.
    private func readBack(into capture: QuicklookCapture, tasks: [(region: ChunkRegion, variables: Set<String>)], storage: any Storage,
                          encoders: [ChunkEncoder]) async throws {
        let chunk = plan.chunkShape
        let last = plan.time.count - 1
        let step = last % chunk.time
        var jobs: [(variable: Int, reader: ZarrArrayReader, row: Int, column: Int)] = []
        for (v, variable) in plan.variables.enumerated() {
            // The quick-look of a (time, level, y, x) array shows its first level.
            let relevant = tasks.filter { $0.region.times.contains(last) && $0.variables.contains(variable.name) }.map(\.region)
            guard !relevant.isEmpty, variable.layer?.axes.allSatisfy({ $0 == 0 }) ?? true else { continue }
            let reader = try await ZarrArrayReader(storage: storage, name: variable.arrayName, registry: registries.codecs)
            for region in relevant {
                for row in stride(from: region.rows.lowerBound, to: region.rows.upperBound, by: chunk.y) {
                    for column in stride(from: region.columns.lowerBound, to: region.columns.upperBound, by: chunk.x) {
                        jobs.append((v, reader, row, column))
                    }
                }
            }
        }
        // Chunks decode in parallel; only the last step's slice of each is unpacked.
        let plan = self.plan
        try await withThrowingTaskGroup(of: Void.self) { group in
            var next = jobs.makeIterator()
            func add() {
                guard let job = next.next() else { return }
                group.addTask {
                    let index = plan.arrayIndex(plan.variables[job.variable], [last / chunk.time, job.row / chunk.y, job.column / chunk.x])
                    guard let raw = try await job.reader.chunk(index) else { return }
                    let planeBytes = chunk.y * chunk.x * plan.variables[job.variable].dataType.size
                    // Stacked layers: the first (slot 0) of the step's slots.
                    let first = step * plan.layersPerChunk * planeBytes
                    let values = encoders[job.variable].unpack(Array(raw[first..<(first + planeBytes)]))
                    let rows = job.row..<min(job.row + chunk.y, plan.grid.height), columns = job.column..<min(job.column + chunk.x, plan.grid.width)
                    var plane = [Float](repeating: .nan, count: rows.count * columns.count)
                    for r in 0..<rows.count {
                        for c in 0..<columns.count { plane[r * columns.count + c] = values[r * chunk.x + c] }
                    }
                    capture.record(variable: job.variable, plane: plane, rows: rows, columns: columns)
                }
            }
            for _ in 0..<max(2, workers) { add() }
            while try await group.next() != nil { add() }
        }
    }

    private func encoders() throws -> [ChunkEncoder] {
        let codecs = try CubeMetadataBuilder.codecs(plan)
        return try plan.variables.map { variable in
            let spec = try CubeMetadataBuilder.dataArray(plan, variable, attributes: .object([]), codecs: codecs)
            return ChunkEncoder(dataType: variable.dataType, scaleFactor: variable.scaleFactor, addOffset: variable.addOffset,
                                fillValue: variable.fillValue,
                                writer: try ZarrChunkWriter(spec: spec, format: plan.format, registry: registries.codecs))
        }
    }

    /// What a variable's source windows depend on: centre or corner mappings, and the margin
    /// its method reads around them.
    private struct WindowUse: Hashable {
        var corners: Bool
        var margin: Int
    }

    /// One source plane a region needs: for output step `step` (offset in the region) of
    /// `variable`, source step `index` of file `file`, over `window`.
    private struct Read {
        var variable: Int
        var step: Int
        var file: Int
        var index: Int
        /// The index of the file's grid in the source's `grids`.
        var grid: Int
        /// The date of the source step: reads of one date within an output step are mosaicked.
        var date: CalendarDate
        var window: PixelWindow
        /// The weight of an up-sampled read (a period filled from neighbouring steps); `nil` for
        /// a source step of the period itself.
        var weight: Double? = nil
    }

    /// Computes and writes the chunks (or the shard) of every variable for one region; returns their uncompressed size.
    ///
    /// Reads are done in order and the next ones are fetched while the current plane is resampled,
    /// so reading (serial in the netCDF queue, decoding outside it) overlaps with computing. With a period, each output
    /// step's planes go through a `TemporalAccumulator`: one period's state per task at a time.
    /// - Parameter kept: the task's record cut down to the variables still valid (not recomputed).
    private func fill(_ region: ChunkRegion, _ shared: Shared, keeping kept: TaskRecord?, pyramid: PyramidWriter?,
                      timeSeries: TimeSeriesWriter?) async throws
        -> (bytes: Int, record: TaskRecord, variables: Set<String>) {
        let shape = plan.taskShape
        let planeCells = region.rows.count * region.columns.count
        var written = 0
        let taskIndex = [region.index.t, region.index.y, region.index.x]
        var record = TaskRecord(task: taskIndex, digests: shared.digests[taskIndex] ?? [:], objects: kept?.objects ?? [:],
                                empty: kept?.empty ?? [:], clipped: kept?.clipped ?? [:])
        var keptNames = Set(kept?.digests.keys.map { $0 } ?? [])
        // Layers stored in one chunk (several members or levels per chunk) are computed together:
        // one recomputed layer recomputes its chunk's others.
        if plan.layersPerChunk > 1 {
            for v in plan.variables.indices where !keptNames.contains(plan.variables[v].name) {
                for layer in plan.chunkLayers(of: v) { keptNames.remove(plan.variables[layer].name) }
            }
        }
        // The chunk buffers of layers waiting for the other layers of their chunk, by chunk slot.
        var stacked: [Int: [Int: [Float]]] = [:]
        var landing: [Task<Void, any Error>] = []
        for (sourceIndex, source) in plan.sources.enumerated() {
            let variables = plan.variables.indices.filter {
                plan.variables[$0].source == sourceIndex && !keptNames.contains(plan.variables[$0].name)
            }
            guard !variables.isEmpty else { continue }
            // One pixel mapping per source grid (a mosaic's tiles each have theirs).
            let areaMethods = variables.contains { plan.variables[$0].method.isArea }
            let pointMethods = variables.contains { !plan.variables[$0].method.isArea }
            var mappings: [PixelMapping?] = [], cornerMappings: [PixelMapping?] = []
            let regionWindow = PixelWindow(rows: region.rows, columns: region.columns)
            // The part of the region each grid covers: the whole region for one grid; for a
            // mosaic's tiles only where the tile reaches, so mappings and weights are made for the
            // pixels a tile can feed (the rest of its plane stays NaN).
            var covered: [PixelWindow?] = []
            for (g, sourceGrid) in source.grids.enumerated() {
                // A tile whose reach misses this region is neither mapped nor read.
                if !source.targetWindows.isEmpty, !(source.targetWindows[g].map { $0.intersects(regionWindow) } ?? false) {
                    mappings.append(nil)
                    cornerMappings.append(nil)
                    covered.append(nil)
                    continue
                }
                var reachable = regionWindow
                if source.grids.count > 1, !source.targetWindows.isEmpty, let reach = source.targetWindows[g] {
                    reachable = PixelWindow(rows: max(region.rows.lowerBound, reach.rows.lowerBound)..<min(region.rows.upperBound, reach.rows.upperBound),
                                       columns: max(region.columns.lowerBound, reach.columns.lowerBound)..<min(region.columns.upperBound, reach.columns.upperBound))
                }
                let part = reachable
                covered.append(part)
                // Centre mappings only for point methods (nearest, bilinear, …); area methods use corners.
                mappings.append(!pointMethods ? nil : try await shared.mappings.value(for: MappingKey(source: sourceIndex, grid: g, y: region.index.y, x: region.index.x)) {
                    try shared.transforms.withTransform(to: sourceGrid.crs) { transform in
                        PixelMapping.compute(target: plan.grid, rows: part.rows, columns: part.columns, source: sourceGrid,
                                             transform: transform, maxError: plan.recipe.grid.maxError)
                    }
                })
                cornerMappings.append(!areaMethods ? nil : try await shared.mappings.value(
                    for: MappingKey(source: sourceIndex, grid: g, y: region.index.y, x: region.index.x, corners: true)) {
                    try shared.transforms.withTransform(to: sourceGrid.crs) { transform in
                        PixelMapping.compute(target: plan.grid.cornerLattice, rows: part.rows.lowerBound..<(part.rows.upperBound + 1),
                                             columns: part.columns.lowerBound..<(part.columns.upperBound + 1), source: sourceGrid,
                                             transform: transform, maxError: plan.recipe.grid.maxError)
                    }
                })
            }
            // A source window scans the region's whole mapping: found once per kind of mapping and
            // margin, not once per variable.
            var windowsByUse: [WindowUse: [PixelWindow?]] = [:]
            let reads: [Read] = variables.flatMap { v -> [Read] in
                let method = plan.variables[v].method
                let use = WindowUse(corners: method.isArea, margin: method.margin)
                let windows = windowsByUse[use] ?? source.grids.indices.map {
                    (method.isArea ? cornerMappings[$0] : mappings[$0])?.sourceWindow(margin: method.margin)
                }
                windowsByUse[use] = windows
                // Files whose grid does not reach this region are not read (tiles elsewhere).
                func read(_ file: Int, _ index: Int, step: Int, weight: Double? = nil) -> Read? {
                    let g = source.fileGrid[file]
                    guard let window = windows[g] else { return nil }
                    return Read(variable: v, step: step, file: file, index: index, grid: g, date: source.files[file].dates[index],
                                window: window, weight: weight)
                }
                return region.times.enumerated().flatMap { k, t -> [Read] in
                    if source.steps[t].isEmpty, let filled = plan.variables[v].upsampled[t] {
                        return filled.compactMap { read($0.file, $0.index, step: k, weight: $0.weight) }
                    }
                    return source.steps[t].compactMap { read($0.file, $0.index, step: k) }
                }
            }
            func fetch(_ index: Int) -> Task<SourcePlane, any Error>? {
                guard index < reads.count else { return nil }
                let read = reads[index], name = plan.variables[read.variable].sourceName, selection = plan.variables[read.variable].sourceSelection
                return Task {
                    try await self.sourcePlane(sourceIndex, name, selection: selection, file: read.file, index: read.index, window: read.window, shared)
                }
            }
            // Reads run ahead of the resampling, `readAhead` planes deep: with direct chunk reads
            // their decoding runs outside the netCDF lock, so several decode at once.
            var ahead: [Int: Task<SourcePlane, any Error>] = [:]
            for index in 0..<min(reads.count, readAhead) { ahead[index] = fetch(index) }
            defer { ahead.values.forEach { $0.cancel() } }
            var cursor = 0
            var weights: [WeightsKey: ResamplingWeights] = [:]
            // Weights are kept only while later reads of the task need them: a mosaic task with one
            // step per tile frees each tile's weights once applied (they dominate its memory).
            var uses = WeightUses(reads.map { (plan.variables[$0.variable].method, $0.grid) })
            for v in variables {
                let variable = plan.variables[v]
                // Every step of the task lands in the buffer (`copy`); only chunks at the grid's
                // edges need their padding set to fill first.
                let whole = region.times.count == shape.time && region.rows.count == shape.y && region.columns.count == shape.x
                var chunk = whole ? [Float](unsafeUninitializedCapacity: shape.time * shape.y * shape.x) { $1 = $0.count }
                    : [Float](repeating: .nan, count: shape.time * shape.y * shape.x)
                var landed = [Bool](repeating: false, count: shape.time)
                var plane = [Float](repeating: .nan, count: planeCells)
                var accumulator = variable.aggregation.map { TemporalAccumulator($0, cells: planeCells) }
                while cursor < reads.count, reads[cursor].variable == v {
                    let step = reads[cursor].step
                    let upsampled = reads[cursor].weight != nil
                    accumulator?.reset()
                    var interpolation = upsampled ? WeightedMean(cells: planeCells) : nil
                    // Every source plane of this output step; the planes of one date (the tiles
                    // of a mosaic) are combined first.
                    while cursor < reads.count, reads[cursor].variable == v, reads[cursor].step == step {
                        let date = reads[cursor].date, weight = reads[cursor].weight
                        var tiles = 0
                        while cursor + tiles < reads.count, reads[cursor + tiles].variable == v, reads[cursor + tiles].step == step,
                              reads[cursor + tiles].date == date {
                            tiles += 1
                        }
                        var mosaic = tiles > 1 ? MosaicAccumulator(source.mosaic, cells: planeCells) : nil
                        for _ in 0..<tiles {
                            guard let current = ahead.removeValue(forKey: cursor) else { break }
                            let sourcePlane = try await current.value
                            if let task = fetch(cursor + readAhead) { ahead[cursor + readAhead] = task }
                            // The weights depend on grid, method and window only: made once, used for every step.
                            let g = reads[cursor].grid
                            let key = WeightsKey(grid: g, method: variable.method, window: sourcePlane.window)
                            if weights[key] == nil {
                                let (grid, method, centres, corners) = (source.grids[g], variable.method, mappings[g], cornerMappings[g])
                                let bounds = sourcePlane.window.bounds
                                let subset = source.cellSubset(ofGrid: g)
                                let make: @Sendable () throws -> ResamplingWeights = {
                                    let made = try ResamplingWeights(method, source: grid, centres: centres, corners: corners, window: bounds)
                                    guard let subset else { return made }
                                    // The plane holds the cells the target reaches only (`CellReach`).
                                    guard let reading = made.reading(subset) else {
                                        throw CubeError(.internalInconsistency,
                                            "source '\(source.section.name)': a target pixel reads a cell outside the cells planned for the target (\(subset.count) of \(grid.width)); please report this")
                                    }
                                    return reading
                                }
                                // A cell grid's stencils are costly (HEALPix pixel searches, spherical overlaps):
                                // made once per region and method, shared by the region's later time blocks.
                                if grid.cells != nil, plan.taskCounts.time > 1 {
                                    let shareKey = SharedWeightsKey(source: sourceIndex, grid: g, y: region.index.y, x: region.index.x,
                                                                    method: method, window: sourcePlane.window)
                                    weights[key] = try await shared.weights.value(for: shareKey) { try make() }
                                } else {
                                    weights[key] = try make()
                                }
                            }
                            let part = covered[g]!
                            if part == regionWindow {
                                sourcePlane.values.withUnsafeBufferPointer { values in
                                    plane.withUnsafeMutableBufferPointer { out in weights[key]!.apply(source: values, into: out) }
                                }
                            } else {
                                // A tile covering part of the region: resample that part, NaN elsewhere.
                                var partPlane = [Float](repeating: .nan, count: part.count)
                                sourcePlane.values.withUnsafeBufferPointer { values in
                                    partPlane.withUnsafeMutableBufferPointer { out in weights[key]!.apply(source: values, into: out) }
                                }
                                for k in plane.indices { plane[k] = .nan }
                                let width = region.columns.count
                                for (r, row) in part.rows.enumerated() {
                                    let target = (row - region.rows.lowerBound) * width + (part.columns.lowerBound - region.columns.lowerBound)
                                    for c in 0..<part.columns.count { plane[target + c] = partPlane[r * part.columns.count + c] }
                                }
                            }
                            if uses.release(variable.method, g) { weights[key] = nil }
                            plane.withUnsafeBufferPointer { mosaic?.add($0) }
                            cursor += 1
                        }
                        if let mosaic { plane.withUnsafeMutableBufferPointer { mosaic.finish(into: $0) } }
                        if let weight {
                            plane.withUnsafeBufferPointer { interpolation?.add($0, weight: weight) }
                        } else if accumulator != nil {
                            plane.withUnsafeBufferPointer { accumulator!.add($0) }
                        }
                    }
                    if let interpolation {
                        plane.withUnsafeMutableBufferPointer { interpolation.finish(into: $0) }
                    } else if let accumulator {
                        plane.withUnsafeMutableBufferPointer { accumulator.finish(minCount: variable.minCount, into: $0) }
                    }
                    copy(plane, into: &chunk, at: step, region: region)
                    landed[step] = true
                    if let capture = shared.quicklooks, region.times.lowerBound + step == capture.step {
                        // The values as stored and read back, so a resumed run shows the same picture.
                        capture.record(variable: v, plane: shared.encoders[v].roundTrip(plane), rows: region.rows, columns: region.columns)
                    }
                }
                // A step no source plane reached (a gap in the inputs) is fill.
                let stepCells = shape.y * shape.x
                for step in 0..<shape.time where whole && !landed[step] {
                    chunk.withUnsafeMutableBufferPointer { $0[(step * stepCells)..<((step + 1) * stepCells)].initialize(repeating: .nan) }
                }
                // The pyramid and the time-series copy get each step as stored (packed, unpacked again).
                for step in region.times where timeSeries != nil || pyramid?.writes(step: step) == true {
                    let plane = shared.encoders[v].roundTrip(taskPlane(chunk, step: step - region.times.lowerBound, region: region))
                    if let pyramid, pyramid.writes(step: step) {
                        try await pyramid.add(variable: v, step: step, rows: region.rows, columns: region.columns, plane: plane)
                    }
                    try await timeSeries?.add(variable: v, step: step, rows: region.rows, columns: region.columns, plane: plane)
                }
                written += region.times.count * planeCells * variable.dataType.size
                // Several members or levels per chunk: the chunk is written by its last layer,
                // the layers stacked (time, slot, y, x), slots without a layer fill.
                var encoded = v
                if plan.layersPerChunk > 1 {
                    let group = plan.chunkLayers(of: v)
                    stacked[group[0], default: [:]][plan.slotInChunk(variable)] = chunk
                    guard stacked[group[0]]!.count == group.count else { continue }
                    chunk = stackLayers(stacked.removeValue(forKey: group[0])!)
                    encoded = group[0]
                    for layer in group.dropFirst() {
                        record.clipped[plan.variables[layer].name] = 0
                        record.empty[plan.variables[layer].name] = []
                    }
                }
                let indices = plan.arrayIndex(plan.variables[encoded], [region.index.t, region.index.y, region.index.x])
                // Chunks of fill only are not stored (a shard's index marks them missing): readers
                // see the array's fill value, and the lineage records them as empty so
                // completeness checks can tell them from lost chunks.
                let (unit, clipped) = try shared.encoders[encoded].encode(chunk, at: indices)
                record.clipped[plan.variables[encoded].name] = clipped
                record.empty[plan.variables[encoded].name] = unit.emptyChunks
                guard let bytes = unit.bytes else { continue }
                record.objects[unit.key] = TaskRecord.StoredObject(size: bytes.count, sha256: ChunkChecksums.digest(bytes))
                landing.append(try await shared.writes.submit(StoreKey(unit.key), bytes))
                shared.stored.withLock { $0 += bytes.count }
            }
        }
        for variable in plan.variables where record.clipped[variable.name] == nil {
            record.clipped[variable.name] = 0
            record.empty[variable.name] = []
        }
        // The record says the task is done: written only once every object of the task landed.
        for write in landing { try await write.value }
        if !CubeExecutor.benchmarkWithoutRecords { try await shared.manifest.record(record) }
        return (written, record, Set(plan.variables.map(\.name)).subtracting(keptNames))
    }

    /// The chunk (or shard) buffer of layers stored together: (time, slot, y, x) from each
    /// layer's (time, y, x) task buffer by its slot (`CubePlan.slotInChunk`); slots without a
    /// layer (past the end of the member or level axis) are fill.
    private func stackLayers(_ layers: [Int: [Float]]) -> [Float] {
        let shape = plan.taskShape, slots = plan.layersPerChunk
        let planeCells = shape.y * shape.x
        var out = [Float](repeating: .nan, count: shape.time * slots * planeCells)
        out.withUnsafeMutableBufferPointer { out in
            for (slot, buffer) in layers {
                buffer.withUnsafeBufferPointer { values in
                    for t in 0..<shape.time {
                        let target = out.baseAddress! + (t * slots + slot) * planeCells
                        target.update(from: values.baseAddress! + t * planeCells, count: planeCells)
                    }
                }
            }
        }
        return out
    }

    /// One time step of a task's buffer, cut to the region (the inverse of `copy`).
    private func taskPlane(_ chunk: [Float], step: Int, region: ChunkRegion) -> [Float] {
        let shape = plan.taskShape
        let width = region.columns.count
        var plane = [Float](repeating: .nan, count: region.rows.count * width)
        for row in 0..<region.rows.count {
            let source = (step * shape.y + row) * shape.x
            plane[(row * width)..<((row + 1) * width)] = chunk[source..<(source + width)]
        }
        return plane
    }

    /// Source planes a task fetches ahead of the one it resamples.
    private var readAhead: Int { max(2, workers) }

    /// Bytes of cell-grid weights kept for later time blocks (H1024 → 0.1° global: about 210 MB
    /// bilinear, 400 MB conservative).
    static let sharedWeightsBudget = 1 << 30

    /// Places one resampled time step into the task's buffer (chunks or shards at the grid's edges are padded).
    private func copy(_ plane: [Float], into chunk: inout [Float], at step: Int, region: ChunkRegion) {
        let shape = plan.taskShape
        let width = region.columns.count
        plane.withUnsafeBufferPointer { src in
            chunk.withUnsafeMutableBufferPointer { dst in
                for row in 0..<region.rows.count {
                    let target = dst.baseAddress! + (step * shape.y + row) * shape.x
                    target.update(from: src.baseAddress! + row * width, count: width)
                }
            }
        }
    }

    /// One decoded source time step covering `window`: from the shared footprint plane when it
    /// holds the window, fits the cache and more than one task reads it (a mosaic tile inside one
    /// task's region is read once, so caching it would only hold memory), else read directly.
    private func sourcePlane(_ source: Int, _ variable: String, selection: [(dimension: String, index: Int)], file: Int, index: Int,
                             window: PixelWindow, _ shared: Shared) async throws -> SourcePlane {
        let plan = self.plan.sources[source]
        let g = plan.fileGrid[file]
        // A cell grid read for a regional target holds only the cells it reaches.
        let held = plan.cellSubset(ofGrid: g)?.count ?? plan.footprints[g]?.count ?? 0
        if self.plan.sharesPlanes, let footprint = plan.footprints[g], footprint.contains(window),
            held * MemoryLayout<Float>.size <= cacheBudget / 2,
            self.plan.spatialTasks(reaching: plan.targetWindows.isEmpty ? nil : plan.targetWindows[g]) > 1 {
            return try await shared.planes.value(for: PlaneKey(source: source, variable: variable, file: file, index: index,
                                                               selection: selection.map(\.index))) {
                let reader = try await shared.readers.reader(source: source, file: file)
                return SourcePlane(values: try await read(reader, plan, variable, selection: selection, file: file, index: index, window: footprint),
                                   window: footprint)
            }
        }
        let reader = try await shared.readers.reader(source: source, file: file)
        return SourcePlane(values: try await read(reader, plan, variable, selection: selection, file: file, index: index, window: window), window: window)
    }

    /// Reads from the overview the plan chose for the file's grid (the full grid for level 0).
    private func read(_ reader: any DatasetReader, _ plan: SourcePlan, _ variable: String, selection: [(dimension: String, index: Int)],
                      file: Int, index: Int, window: PixelWindow) async throws -> [Float] {
        if !selection.isEmpty {
            guard let layered = reader as? any LevelDatasetReader else {
                throw CubeError(.unsupported, "'\(plan.files[file].location)': the \(plan.section.store) store cannot read one element of '\(variable)' along \(selection.map { "'\($0.dimension)'" }.joined(separator: " and "))",
                                context: ["file": plan.files[file].location, "variable": variable])
            }
            let values = try await layered.read(variable, timeIndex: index, selection: selection, window: window)
            guard let cells = plan.cellSubset(ofGrid: plan.fileGrid[file]) else { return values }
            return values.withUnsafeBufferPointer { cells.gather(from: $0) }
        }
        if let cells = plan.cellSubset(ofGrid: plan.fileGrid[file]) {
            // A regional target's cells of a cell grid (`CellReach`): a reader that can reads only those.
            if let subsetReader = reader as? any CellSubsetReader {
                return try await subsetReader.read(variable, timeIndex: index, cells: cells)
            }
            return try await reader.read(variable, timeIndex: index, window: window).withUnsafeBufferPointer { cells.gather(from: $0) }
        }
        let level = plan.overviewLevels.isEmpty ? 0 : plan.overviewLevels[plan.fileGrid[file]]
        guard level > 0 else { return try await reader.read(variable, timeIndex: index, window: window) }
        guard let leveled = reader as? any MultiResolutionReader else {
            throw CubeError(.internalInconsistency, "'\(plan.files[file].location)': overview \(level) planned but its reader reads full resolution only")
        }
        return try await leveled.read(variable, timeIndex: index, window: window, overview: level)
    }

    /// Writes the arrays' metadata documents (not the root group's): chunks can then be read back,
    /// and without a root group nothing looks like a cube yet.
    private func writeArrayDocuments(_ storage: any Storage, _ hierarchy: ZarrHierarchy) async throws {
        let consolidated = try hierarchy.consolidated()
        for (key, document) in try hierarchy.documents() where key != consolidated.key && key.contains("/") {
            try await storage.set(StoreKey(key), to: document.bytes)
        }
    }

    /// Writes the root group's documents, then the consolidated metadata last: a reader never sees
    /// a group whose arrays are not all described.
    private func writeRootDocuments(_ storage: any Storage, _ hierarchy: ZarrHierarchy) async throws {
        let consolidated = try hierarchy.consolidated()
        for (key, document) in try hierarchy.documents() where key != consolidated.key && !key.contains("/") {
            try await storage.set(StoreKey(key), to: document.bytes)
        }
        try await storage.set(StoreKey(consolidated.key), to: consolidated.document.bytes)
    }

    /// Now in ISO 8601 UTC, or `SOURCE_DATE_EPOCH` when set (reproducible builds).
    static func creationDate() -> String {
        var date = Date()
        if let epoch = ProcessInfo.processInfo.environment["SOURCE_DATE_EPOCH"].flatMap(Double.init) {
            date = Date(timeIntervalSince1970: epoch)
        }
        let formatter = ISO8601DateFormatter()
        formatter.formatOptions = [.withInternetDateTime]
        return formatter.string(from: date)
    }
}

/// Identifies cell-grid resampling weights shared between tasks: the source grid, the task's
/// chunk row and column (which fix the pixel mapping), the method and the source window.
struct SharedWeightsKey: Hashable, Sendable {
    var source: Int
    var grid: Int
    var y: Int
    var x: Int
    var method: ResamplingMethod
    var window: PixelWindow
}

/// Identifies precomputed resampling weights within one region.
private struct WeightsKey: Hashable {
    var grid: Int
    var method: ResamplingMethod
    var window: PixelWindow
}

extension PixelWindow {
    var bounds: SourceWindowBounds {
        SourceWindowBounds(firstRow: rows.lowerBound, firstColumn: columns.lowerBound, rowCount: rows.count, columnCount: columns.count)
    }
}
