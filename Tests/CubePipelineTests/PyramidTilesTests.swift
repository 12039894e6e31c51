@testable import CubePipeline
import CubeFixtures
import Testing

/// The streaming pyramid reduction against brute force: level sizes by xcube's rule, and every
/// level cell equal to the reduction of its 2^k × 2^k block of level-0 pixels, whatever the task
/// regions and the order they arrive in; every tile finished exactly once, none left open.
@Suite struct PyramidTilesTests {
    @Test func levelSizesHalveUntilASideFitsOneTile() {
        // xcube.core.tilingscheme.subdivide_size((140, 100), (16, 16)) and ((4000, 300), (256, 256)).
        let small = PyramidLayout(width: 140, height: 100, tile: 16, count: nil, methods: [])
        #expect(small.levels.map { [$0.width, $0.height] } == [[140, 100], [70, 50], [35, 25], [18, 13]])
        #expect(small.levels.map(\.factor) == [1, 2, 4, 8])
        let wide = PyramidLayout(width: 4000, height: 300, tile: 256, count: nil, methods: [])
        #expect(wide.levels.map { [$0.width, $0.height] } == [[4000, 300], [2000, 150]])
        let given = PyramidLayout(width: 5, height: 3, tile: 256, count: 9, methods: [])
        #expect(given.levels.map { [$0.width, $0.height] } == [[5, 3], [3, 2], [2, 1], [1, 1]])
    }

    @Test(arguments: [PyramidMethod.mean, .first, .min, .max, .mode])
    func tilesEqualBlockReductionsWhateverTheRegions(method: PyramidMethod) {
        var random = SplitMix64(seed: 15)
        for _ in 0..<6 {
            let width = Int.random(in: 20...90, using: &random), height = Int.random(in: 20...90, using: &random)
            let regionRows = Int.random(in: 3...40, using: &random), regionColumns = Int.random(in: 3...40, using: &random)
            let tile = [4, 5, 8, 16].randomElement(using: &random)!
            let values = (0..<(width * height)).map { _ -> Float in
                Double.random(in: 0..<1, using: &random) < 0.3 ? .nan : Float(Int.random(in: -50...50, using: &random)) / 4
            }
            let layout = PyramidLayout(width: width, height: height, tile: tile, count: nil, methods: [method])
            let tiles = PyramidTiles(layout: layout, width: width, height: height, regionRows: regionRows, regionColumns: regionColumns)
            var regions: [(Range<Int>, Range<Int>)] = []
            for r in stride(from: 0, to: height, by: regionRows) {
                for c in stride(from: 0, to: width, by: regionColumns) {
                    regions.append((r..<min(r + regionRows, height), c..<min(c + regionColumns, width)))
                }
            }
            regions.shuffle(using: &random)
            var finished: [PyramidTiles.Key: [Float]] = [:]
            for (rows, columns) in regions {
                let plane = rows.flatMap { r in columns.map { c in values[r * width + c] } }
                for (key, tileValues) in tiles.add(variable: 0, step: 3, rows: rows, columns: columns, plane: plane) {
                    #expect(finished[key] == nil, "tile \(key) finished twice")
                    finished[key] = tileValues
                }
            }
            #expect(tiles.openCount == 0)
            for (k, level) in layout.levels.enumerated() where k > 0 {
                #expect(finished.keys.filter { $0.level == k }.count == level.tilesX * level.tilesY)
                for y in 0..<level.height {
                    for x in 0..<level.width {
                        let key = PyramidTiles.Key(variable: 0, level: k, step: 3, tileY: y / level.tileY, tileX: x / level.tileX)
                        let got = finished[key]![(y % level.tileY) * level.tileX + x % level.tileX]
                        let f = level.factor
                        let block = (y * f..<min((y + 1) * f, height)).flatMap { r in
                            (x * f..<min((x + 1) * f, width)).map { c in values[r * width + c] }
                        }
                        let valid = block.filter { !$0.isNaN }.map(Double.init)
                        let expected: Double
                        switch method {
                        case .mean: expected = valid.isEmpty ? .nan : valid.reduce(0, +) / Double(valid.count)
                        case .first: expected = Double(block[0])
                        case .min: expected = valid.min() ?? .nan
                        case .max: expected = valid.max() ?? .nan
                        case .mode:
                            // Brute force: the most frequent valid value, ties to the smallest.
                            let counts = Dictionary(valid.map { ($0, 1) }, uniquingKeysWith: +)
                            let top = counts.values.max() ?? 0
                            expected = counts.filter { $0.value == top }.keys.min() ?? .nan
                        }
                        #expect(expected.isNaN ? got.isNaN : abs(Double(got) - expected) < 1e-5,
                                "\(method) level \(k) cell (\(y), \(x)) of \(width)×\(height), regions \(regionRows)×\(regionColumns), tile \(tile): \(got) ≠ \(expected)")
                    }
                }
            }
        }
    }
}
