import CubeCore
import CubeProjection
import CubeRecipe
import CubeResampling
import Foundation
import Zarr

extension CubePlan {
    /// A human-readable description of the plan (`cubegen plan`).
    /// - Parameter workers: The worker count the memory estimate assumes.
    public func summary(workers: Int, cacheBudget: Int? = nil) -> String {
        let cacheBudget = cacheBudget ?? defaultCacheBudget()
        let (xName, yName) = spatialNames
        let counts = chunkCounts
        var lines: [String] = []
        func line(_ key: String, _ value: String) { lines.append(key.padding(toLength: 12, withPad: " ", startingAt: 0) + value) }
        line("cube", "\(recipe.cube.id) — \(recipe.cube.title)")
        line("grid", "\(crs.name) (\(recipe.grid.crs)), \(grid.width) × \(grid.height) pixels of \(format(grid.xResolution)) × \(format(grid.yResolution))")
        line("", "\(xName) \(format(grid.xMin)) … \(format(grid.xMax)), \(yName) \(format(grid.yMin)) … \(format(grid.yMax)), y axis \(grid.yAxis.rawValue)")
        if let period = time.period {
            let anchor = recipe.time.periodAnchor == "year" ? ", restarting every 1 January" : ""
            line("time", "\(time.count) periods of \(period)\(anchor) from \(time.dates.first?.description ?? "?"), labelled at the \(recipe.time.label ?? "start") (\(time.units), \(time.units.calendar.cfName)), with time_bnds")
        } else {
            line("time", "\(time.count) steps, \(time.dates.first?.description ?? "?") … \(time.dates.last?.description ?? "?") (\(time.units), \(time.units.calendar.cfName))")
        }
        if let vertical {
            let perChunk = extraChunks.last ?? 1
            line("levels", "\(vertical.name): \(vertical.labels.joined(separator: ", ")) (\(vertical.values.map(VerticalCoordinate.format).joined(separator: ", ")) \(vertical.coordinate.units)), \(perChunk == 1 ? "one level" : "\(perChunk) levels") per chunk")
        }
        for source in sources {
            var window = source.footprint.map { "source window \($0.rows.count) × \($0.columns.count)" } ?? "no overlap with the target"
            if source.grids.count > 1 {
                window = "\(source.footprints.filter { $0 != nil }.count) of \(source.grids.count) grids overlap the target"
            }
            if let cells = source.cellSubsets.first ?? nil {
                window = String(format: "reads %d of %d cells (%.1f %%, %d runs) the target reaches", cells.count, source.grid.width,
                                100 * Double(cells.count) / Double(max(1, source.grid.width)), cells.runs.count)
            }
            let kind = source.grid.geolocation == nil ? "grid" : "curvilinear grid"
            let scale = source.scale.map { $0.factor >= 1 ? String(format: ", up-sampling ×%.3g", $0.factor) : String(format: ", down-sampling ×%.3g", $0.factor) } ?? ""
            let level = source.files.first?.level.map { ", level \($0.index) (\($0.path)) of \(source.files[0].levels.count)" } ?? ""
            let inputs = source.inputs.datasets.isEmpty ? "file(s)" : "dataset(s)"
            let format = source.files.first?.format.map { " (\($0))" } ?? ""
            let overview = (source.overviewLevels.first ?? 0) > 0 ? ", overview \(source.overviewLevels[0])" : ""
            let mosaic = source.grids.count > 1 ? ", \(source.grids.count) grids mosaicked (\(source.mosaic.rawValue))" : ""
            let repeated = source.section.broadcastTime ? ", static (broadcast_time: repeated at every step)" : ""
            line("source", "\(source.section.name): \(source.files.count) \(inputs)\(format), \(source.grid.width) × \(source.grid.height) \(kind)\(level)\(overview)\(mosaic)\(repeated), \(window)\(scale)")
            if let catalogue = source.inputs.catalogue { lines += catalogue.summaryLines(source: source.section.name) }
        }
        for variable in variables {
            var packing = ""
            if let scale = variable.scaleFactor { packing += ", scale \(scale)" }
            if let offset = variable.addOffset { packing += ", offset \(offset)" }
            if !variable.fillValue.isNaN { packing += ", fill \(format(variable.fillValue))" }
            var temporal = variable.aggregation.map { ", \($0.rawValue) over each period" } ?? ""
            if variable.minCount > 1 { temporal += " (min_count \(variable.minCount))" }
            if !variable.upsampled.isEmpty { temporal += ", \(variable.upsampled.count) period(s) up-sampled" }
            let level = variable.sourceSelection.map { "[\($0.dimension)=\($0.index)]" }.joined()
            line("variable", "\(variable.name) ← \(sources[variable.source].section.name)/\(variable.sourceName)\(level): \(variable.method.rawValue)\(temporal), \(variable.dataType)\(packing)")
        }
        let chunkTotal = counts.time * counts.y * counts.x
        // Chunks per task: a chunk per (time, y, x) variable, and per chunk of members and levels.
        let perTask = outputArrays.reduce(0) { total, array in
            total + Set(array.layers.map { arrayIndex(variables[$0], [0, 0, 0]) }).count
        }
        if let shards = shardShape {
            let tasks = taskCounts
            line("chunks", "time \(chunkShape.time) × \(yName) \(chunkShape.y) × \(xName) \(chunkShape.x): \(counts.time) × \(counts.y) × \(counts.x) = \(chunkTotal * perTask) chunks")
            line("shards", "time \(shards.time) × \(yName) \(shards.y) × \(xName) \(shards.x): \(tasks.time) × \(tasks.y) × \(tasks.x) = \(taskCount) tasks, \(taskCount * perTask) shards")
        } else {
            line("chunks", "time \(chunkShape.time) × \(yName) \(chunkShape.y) × \(xName) \(chunkShape.x): \(counts.time) × \(counts.y) × \(counts.x) = \(taskCount) tasks, \(taskCount * perTask) chunks")
        }
        line("compressor", compressor.summary + (checksum ? " + crc32c" : ""))
        line("output", "\(recipe.output.path) (\(format.displayName), consolidated), \(bytes(outputBytes)) uncompressed")
        line("memory", "estimated peak \(bytes(estimatedPeakMemory(workers: workers, cacheBudget: cacheBudget))) with \(workers) worker(s)")
        for warning in warnings { lines.append(warning.description) }
        return lines.joined(separator: "\n")
    }

    /// Estimated peak resident memory of a run: per worker a chunk buffer, its encoded bytes, a
    /// plane and a pixel mapping; plus the shared caches and a fixed base for the process.
    public func estimatedPeakMemory(workers: Int, cacheBudget: Int? = nil) -> Int {
        let cacheBudget = cacheBudget ?? defaultCacheBudget()
        let chunkCells = taskShape.time * taskShape.y * taskShape.x
        let planeCells = taskShape.y * taskShape.x
        // A chunk of several layers holds each layer's buffer until the last, then the stack.
        let stacked = layersPerChunk > 1 ? chunkCells * 4 * 2 * layersPerChunk : 0
        let perWorker = chunkCells * 4 * 2 + planeCells * (4 + 16) + stacked
        let cache = min(cacheBudget, 2 * sharedPlaneBytes)
        let mappings = min(256 << 20, taskCounts.y * taskCounts.x * planeCells * 16 * max(1, sources.count))
        return 40 << 20 + workers * perWorker + cache + mappings
    }

    private func format(_ v: Double) -> String {
        v == v.rounded() && abs(v) < 1e15 ? String(Int64(v)) : String(format: "%.6g", v)
    }

    private func bytes(_ n: Int) -> String {
        let value = Double(n)
        if value >= 1e9 { return String(format: "%.2f GB", value / 1e9) }
        if value >= 1e6 { return String(format: "%.1f MB", value / 1e6) }
        return String(format: "%.1f kB", value / 1e3)
    }
}
