import CubeCore
import CubeResampling
import Foundation
import Testing

/// Regional reads of cell grids (`CellSubset`, `CellLayout.cells(west:south:east:north:)`,
/// `ResamplingWeights.reading`): the subset of a box holds every cell a point inside it
/// interpolates from, and weights reading the subset give the values of weights reading the
/// whole field, bit for bit.
@Suite struct CellSubsetTests {
    @Test func runsMergeAndPositionsCountAlongThem() {
        let subset = CellSubset(sortedCells: [1, 2, 3, 5, 5, 6, 9])
        #expect(subset.runs == [1..<4, 5..<7, 9..<10])
        #expect(subset.count == 6)
        #expect(subset.position(of: 1) == 0 && subset.position(of: 3) == 2 && subset.position(of: 5) == 3 && subset.position(of: 9) == 5)
        #expect(subset.position(of: 0) == nil && subset.position(of: 4) == nil && subset.position(of: 7) == nil && subset.position(of: 10) == nil)
        let field = (0..<12).map(Float.init)
        #expect(field.withUnsafeBufferPointer { subset.gather(from: $0) } == [1, 2, 3, 5, 6, 9])
        #expect(CellSubset(runs: [0..<2, 2..<4, 7..<8]).runs == [0..<4, 7..<8])
        #expect(CellSubset(sortedCells: []).count == 0)
    }

    /// Boxes of every kind: mid-latitudes, across the antimeridian, up to a pole, a thin band.
    static let boxes: [(west: Double, south: Double, east: Double, north: Double)] = [
        (-25, 30, 45, 72), (160, -50, -150, -20), (-40, 70, 60, 89), (100, -5, 130, 5), (-10, -88, 10, -60),
    ]

    static let grids: [CellGridGeometry] = [
        .healpix(nside: 32, nested: true), .healpix(nside: 32, nested: false), .healpix(nside: 8, nested: true),
        .reducedGaussian(n: 32, pointsPerRow: (0..<64).map { 20 + 4 * min($0, 63 - $0) }),
    ]

    @Test(arguments: grids)
    func everyStencilAndContainingCellOfAPointInTheBoxIsInTheSubset(_ geometry: CellGridGeometry) throws {
        let layout = try CellLayout.of(geometry)
        var generator = SystemRandomNumberGenerator()
        for box in Self.boxes {
            guard let subset = layout.cells(west: box.west, south: box.south, east: box.east, north: box.north, fraction: 1) else {
                Issue.record("\(geometry.summary): no subset for \(box)")
                continue
            }
            #expect(subset.count < geometry.count, "\(geometry.summary) \(box): the subset is every cell")
            let width = box.east > box.west ? box.east - box.west : box.east + 360 - box.west
            for _ in 0..<4000 {
                let lon = box.west + Double.random(in: 0...1, using: &generator) * width
                let lat = Double.random(in: box.south...box.north, using: &generator)
                let stencil = layout.stencil(longitude: lon, latitude: lat)
                for m in 0..<4 {
                    #expect(subset.position(of: stencil.cells[m]) != nil,
                            "\(geometry.summary) \(box): cell \(stencil.cells[m]) of the stencil at \(lon), \(lat) is missing")
                }
                #expect(subset.position(of: layout.nearest(longitude: lon, latitude: lat)) != nil)
            }
        }
    }

    @Test func aBoxOverMostOfTheSphereReadsEverything() throws {
        let layout = try CellLayout.of(.healpix(nside: 16, nested: true))
        #expect(layout.cells(west: -180, south: -90, east: 180, north: 90) == nil)
        #expect(layout.cells(west: -180, south: -60, east: 180, north: 60) == nil)
        #expect(layout.cells(west: 0, south: 0, east: 90, north: 30) != nil)
    }

    @Test(arguments: [ResamplingMethod.bilinear, .nearest])
    func weightsReadingTheSubsetGiveTheWholeFieldsValues(_ method: ResamplingMethod) throws {
        let geometry = CellGridGeometry.healpix(nside: 32, nested: true)
        let layout = try CellLayout.of(geometry)
        let box = Self.boxes[0]
        let subset = try #require(layout.cells(west: box.west, south: box.south, east: box.east, north: box.north))
        // A 40 × 30 target of points inside the box.
        let (w, h) = (40, 30)
        var lons: [Double] = [], lats: [Double] = []
        for r in 0..<h {
            for c in 0..<w {
                lons.append(box.west + (box.east - box.west) * (Double(c) + 0.5) / Double(w))
                lats.append(box.south + (box.north - box.south) * (Double(r) + 0.5) / Double(h))
            }
        }
        let mapping = PixelMapping(width: w, height: h, column: lons, row: lats, sourceWidth: geometry.count, sourceHeight: 1,
                                   wrapsColumns: false, isCellGrid: true)
        let whole = SourceWindowBounds(firstRow: 0, firstColumn: 0, rowCount: 1, columnCount: geometry.count)
        let weights = ResamplingWeights(cells: method, centres: mapping, layout: layout, window: whole)
        let reading = try #require(weights.reading(subset))
        let field = (0..<geometry.count).map { Float(sin(Double($0) * 0.37) * 100) }
        var fromWhole = [Float](repeating: 0, count: w * h), fromSubset = [Float](repeating: 0, count: w * h)
        field.withUnsafeBufferPointer { values in fromWhole.withUnsafeMutableBufferPointer { weights.apply(source: values, into: $0) } }
        let compact = field.withUnsafeBufferPointer { subset.gather(from: $0) }
        compact.withUnsafeBufferPointer { values in fromSubset.withUnsafeMutableBufferPointer { reading.apply(source: values, into: $0) } }
        #expect(zip(fromWhole, fromSubset).allSatisfy { $0.bitPattern == $1.bitPattern })
        // A subset lacking a cell the weights read is refused, not read wrongly.
        let used = Int(try #require(weights.indices.first { $0 >= 0 }))
        let smaller = CellSubset(sortedCells: subset.runs.flatMap { Array($0) }.filter { $0 != used })
        #expect(weights.reading(smaller) == nil)
    }
}
