import CubeCore
import Zarr

/// The decoded chunks of the sampled variables that patches still need. Patches are visited in
/// time order; when one reaches a time block not yet loaded, every chunk of that block (all
/// variables, all rows and columns) is decoded in parallel, and blocks that end before the patch
/// are dropped — so each chunk is decoded once and memory holds at most the blocks one patch spans.
final class ChunkCache {
    private let cube: SampleCube
    private let variables: [String]
    /// Per variable, the chunk shape (time, y, x).
    private let chunkShapes: [String: SamplingShape]
    /// Per variable and time block, its decoded chunks (row-major over the chunk grid).
    private var blocks: [String: [Int: [[Float]]]] = [:]
    /// Chunks decoded so far (each exactly once).
    private(set) var chunksRead = 0

    init(cube: SampleCube, variables: [String]) {
        self.cube = cube
        self.variables = variables
        var shapes: [String: SamplingShape] = [:]
        for name in variables {
            let c = cube.arrays[name]!.spec.chunks
            shapes[name] = SamplingShape(time: c[0], y: c[1], x: c[2])
        }
        chunkShapes = shapes
    }

    /// Makes sure the chunks holding steps `times` are decoded, and forgets those before `times`.
    func prepare(times: Range<Int>) async throws {
        for name in variables {
            let chunk = chunkShapes[name]!
            blocks[name] = blocks[name]?.filter { block, _ in (block + 1) * chunk.time > times.lowerBound }
            for block in (times.lowerBound / chunk.time)...((times.upperBound - 1) / chunk.time) where blocks[name]?[block] == nil {
                try await load(name, block: block)
            }
        }
    }

    private func load(_ name: String, block: Int) async throws {
        let chunk = chunkShapes[name]!, array = cube.arrays[name]!
        let rows = (cube.shape.y + chunk.y - 1) / chunk.y, columns = (cube.shape.x + chunk.x - 1) / chunk.x
        let decoded = try await withThrowingTaskGroup(of: (Int, [Float]).self) { group in
            var result = [[Float]](repeating: [], count: rows * columns)
            var next = 0
            let limit = 8
            func add() {
                let k = next
                next += 1
                group.addTask { (k, try await array.chunk([block, k / columns, k % columns])) }
            }
            while next < min(limit, rows * columns) { add() }
            while let (k, values) = try await group.next() {
                result[k] = values
                if next < rows * columns { add() }
            }
            return result
        }
        chunksRead += rows * columns
        blocks[name, default: [:]][block] = decoded
    }

    /// The values of `name` over the patch at (`t0`, `y0`, `x0`) of size `size`, in (time, y, x)
    /// order. The chunks must have been prepared.
    func window(_ name: String, t0: Int, y0: Int, x0: Int, size: SamplingShape, into out: inout [Float]) {
        let chunk = chunkShapes[name]!
        let columns = (cube.shape.x + chunk.x - 1) / chunk.x
        var k = 0
        for t in t0..<(t0 + size.time) {
            let chunks = blocks[name]![t / chunk.time]!
            let tt = t % chunk.time
            for y in y0..<(y0 + size.y) {
                let cy = y / chunk.y, yy = y % chunk.y
                var x = x0
                while x < x0 + size.x {
                    let cx = x / chunk.x, xx = x % chunk.x
                    let run = min(x0 + size.x - x, chunk.x - xx)
                    let start = (tt * chunk.y + yy) * chunk.x + xx
                    chunks[cy * columns + cx].withUnsafeBufferPointer { source in
                        out.withUnsafeMutableBufferPointer { target in
                            (target.baseAddress! + k).update(from: source.baseAddress! + start, count: run)
                        }
                    }
                    k += run
                    x += run
                }
            }
        }
    }
}
