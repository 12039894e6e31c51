import CubeCore
import CubeStorage
import Zarr

extension CubeExecutor {
    /// Feeds the pyramid and the time-series copy the stored chunks of the variables of `tasks`
    /// that this process did not compute (recorded tasks of a resumed or incremental run, kept
    /// variables): every step for the copy, the steps whose tiles change for the pyramid. Tasks
    /// reaching none of those steps are not read.
    func readBack(into pyramid: PyramidWriter?, timeSeries: TimeSeriesWriter?, tasks: [(region: ChunkRegion, variables: Set<String>)],
                  storage: any Storage, encoders: [ChunkEncoder]) async throws {
        let plan = self.plan
        let wanted: @Sendable (Int) -> Bool = { step in timeSeries != nil || pyramid?.writes(step: step) == true }
        let chunk = plan.chunkShape
        var jobs: [(variable: Int, region: ChunkRegion, reader: ZarrArrayReader)] = []
        for (v, variable) in plan.variables.enumerated() {
            let reader = try ZarrArrayReader(storage: storage, spec: encoders[v].writer.spec, format: plan.format, registry: registries.codecs)
            for (region, variables) in tasks where variables.contains(variable.name) && region.times.contains(where: wanted) {
                jobs.append((v, region, reader))
            }
        }
        try await withThrowingTaskGroup(of: Void.self) { group in
            var next = jobs.makeIterator()
            func add() {
                guard let job = next.next() else { return }
                group.addTask {
                    let region = job.region, width = region.columns.count
                    let steps = region.times.filter(wanted)
                    var planes = [[Float]](repeating: [Float](repeating: .nan, count: region.rows.count * width), count: steps.count)
                    // The task region's chunks (several when sharded), each unpacked once.
                    for row in stride(from: region.rows.lowerBound, to: region.rows.upperBound, by: chunk.y) {
                        for column in stride(from: region.columns.lowerBound, to: region.columns.upperBound, by: chunk.x) {
                            for t in Set(steps.map { $0 / chunk.time }).sorted() {
                                let variable = plan.variables[job.variable]
                                guard let raw = try await job.reader.chunk(plan.arrayIndex(variable, [t, row / chunk.y, column / chunk.x])) else { continue }
                                let values = encoders[job.variable].unpack(raw)
                                let rows = row..<min(row + chunk.y, plan.grid.height), columns = column..<min(column + chunk.x, plan.grid.width)
                                // Layers stored together: (time, slot, y, x), this layer at its slot.
                                let slots = plan.layersPerChunk, slot = plan.slotInChunk(variable)
                                for (s, step) in steps.enumerated() where step / chunk.time == t {
                                    let base = ((step % chunk.time) * slots + slot) * chunk.y * chunk.x
                                    for r in 0..<rows.count {
                                        let target = (rows.lowerBound - region.rows.lowerBound + r) * width + (columns.lowerBound - region.columns.lowerBound)
                                        for c in 0..<columns.count { planes[s][target + c] = values[base + r * chunk.x + c] }
                                    }
                                }
                            }
                        }
                    }
                    for (s, step) in steps.enumerated() {
                        if let pyramid, pyramid.writes(step: step) {
                            try await pyramid.add(variable: job.variable, step: step, rows: region.rows, columns: region.columns, plane: planes[s])
                        }
                        try await timeSeries?.add(variable: job.variable, step: step, rows: region.rows, columns: region.columns, plane: planes[s])
                    }
                }
            }
            for _ in 0..<max(2, workers) { add() }
            while try await group.next() != nil { add() }
        }
    }
}
