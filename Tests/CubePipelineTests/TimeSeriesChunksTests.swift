@testable import CubePipeline
import CubeFixtures
import Testing

/// The time-series copy's chunk gathering against the array it is fed: every chunk finished
/// exactly once with the values of its block (NaN past the edges), whatever the task regions,
/// time blocks and arrival order; parts of earlier time blocks go through the spill file.
@Suite struct TimeSeriesChunksTests {
    @Test(arguments: [false, true])
    func chunksEqualTheirBlocksWhateverTheTasks(shuffled: Bool) throws {
        var random = SplitMix64(seed: shuffled ? 16 : 15)
        for _ in 0..<8 {
            let steps = Int.random(in: 1...40, using: &random)
            let width = Int.random(in: 5...60, using: &random), height = Int.random(in: 5...60, using: &random)
            let regionRows = Int.random(in: 2...25, using: &random), regionColumns = Int.random(in: 2...25, using: &random)
            let blockSteps = Int.random(in: 1...12, using: &random)
            let shape = (time: Int.random(in: 1...45, using: &random), y: Int.random(in: 1...20, using: &random),
                         x: Int.random(in: 1...20, using: &random))
            let value = { (t: Int, r: Int, c: Int) -> Float in (t * 7 + r * 3 + c) % 11 == 0 ? .nan : Float(t * 10_000 + r * 100 + c) }
            let chunks = try TimeSeriesChunks(shape: shape, steps: steps, width: width, height: height,
                                              regionRows: regionRows, regionColumns: regionColumns, blockSteps: blockSteps)
            // Planes as tasks produce them: block by block (regions in random order), or in any order.
            var planes: [(step: Int, rows: Range<Int>, columns: Range<Int>)] = []
            for block in stride(from: 0, to: steps, by: blockSteps) {
                var regions: [(Range<Int>, Range<Int>)] = []
                for r in stride(from: 0, to: height, by: regionRows) {
                    for c in stride(from: 0, to: width, by: regionColumns) {
                        regions.append((r..<min(r + regionRows, height), c..<min(c + regionColumns, width)))
                    }
                }
                regions.shuffle(using: &random)
                for (rows, columns) in regions {
                    for step in block..<min(block + blockSteps, steps) { planes.append((step, rows, columns)) }
                }
            }
            if shuffled { planes.shuffle(using: &random) }
            var finished: [TimeSeriesChunks.Key: [Float]] = [:]
            for (step, rows, columns) in planes {
                let plane = rows.flatMap { r in columns.map { c in value(step, r, c) } }
                for (key, values) in try chunks.add(variable: 1, step: step, rows: rows, columns: columns, plane: plane) {
                    #expect(finished[key] == nil, "chunk \(key) finished twice")
                    finished[key] = values
                }
            }
            #expect(chunks.openCount == 0)
            let counts = ((steps + shape.time - 1) / shape.time, (height + shape.y - 1) / shape.y, (width + shape.x - 1) / shape.x)
            #expect(finished.count == counts.0 * counts.1 * counts.2)
            let splits = (0..<counts.0).contains { t in t * shape.time / blockSteps != (min(steps, (t + 1) * shape.time) - 1) / blockSteps }
            #expect((chunks.spilledBytes > 0) == splits, "spilled \(chunks.spilledBytes) bytes; chunks split by time blocks: \(splits)")
            for (key, values) in finished {
                #expect(key.variable == 1 && values.count == shape.time * shape.y * shape.x)
                for k in 0..<shape.time {
                    for i in 0..<shape.y {
                        for j in 0..<shape.x {
                            let t = key.t * shape.time + k, r = key.y * shape.y + i, c = key.x * shape.x + j
                            let got = values[(k * shape.y + i) * shape.x + j]
                            let expected: Float = t < steps && r < height && c < width ? value(t, r, c) : .nan
                            #expect(got == expected || (got.isNaN && expected.isNaN), "chunk \(key) at \(k), \(i), \(j)")
                        }
                    }
                }
            }
        }
    }

    @Test func releasedExtentsLeaveTheirNeighboursIntact() throws {
        // Runs of 3,000 floats (12,000 bytes): neighbouring extents share pages, and releasing
        // one (a hole punched into its whole pages only) must not touch the others' values.
        let spill = try SpillFile()
        let runs = (0..<12).map { run in (0..<3000).map { Float(run * 3000 + $0) } }
        let extents = try runs.map { run in try run.withUnsafeBufferPointer { try spill.append($0) } }
        var read = [Float](repeating: .nan, count: 3000)
        var released = 0
        for k in stride(from: 0, to: runs.count, by: 2) {
            try read.withUnsafeMutableBufferPointer { try spill.read(extents[k], into: $0) }
            #expect(read == runs[k])
            if spill.release(extents[k]) { released += 1 }
        }
        for k in stride(from: 1, to: runs.count, by: 2) {
            try read.withUnsafeMutableBufferPointer { try spill.read(extents[k], into: $0) }
            #expect(read == runs[k], "run \(k)")
        }
        // Where the file system punches holes (ext4, tmpfs, xfs), a released extent's whole pages
        // read back as zeros, its partial pages keep their values.
        if released > 0 {
            try read.withUnsafeMutableBufferPointer { try spill.read(extents[4], into: $0) }
            #expect(read[600] == 0 && read[0] == 12_000 && read[2999] == 14_999)
        }
    }

    @Test func openBytesCountsOneTimeBlockOfTheGrid() {
        // 92 steps in 31-step task blocks, copy chunks of 512 steps: one block (31 steps) of the padded grid.
        let bytes = TimeSeriesChunks.openBytes(shape: (512, 32, 32), blockSteps: 31, width: 1000, height: 820, variables: 3)
        #expect(bytes == 31 * 832 * 1024 * 3 * 4)
        #expect(TimeSeriesChunks.openBytes(shape: (8, 32, 32), blockSteps: 31, width: 1000, height: 820, variables: 1) == 8 * 832 * 1024 * 4)
    }
}
