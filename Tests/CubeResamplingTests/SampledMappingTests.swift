import CubeCore
import CubeResampling
import Testing

/// `PixelMapping.compute(target:sampleRows:sampleColumns:…)` (the planner's footprint in one
/// batch) gives each sampled pixel the position `compute` gives it alone, and the window over the
/// sample is the union of the single pixels' windows.
@Suite struct SampledMappingTests {
    /// target (x, y) → source (x·0.9 + 3, y·1.1 − 2): a sheared stand-in for a projection.
    struct Skew: CoordinateTransform {
        func transform(x: UnsafeMutableBufferPointer<Double>, y: UnsafeMutableBufferPointer<Double>) {
            for k in x.indices {
                x[k] = x[k] * 0.9 + 3
                y[k] = y[k] * 1.1 - 2
            }
        }
    }

    private func check(source: SourceGrid, target: RegularGrid) {
        let rows = Array(stride(from: 0, to: target.height, by: 3)), columns = Array(stride(from: 0, to: target.width, by: 4)) + [target.width - 1]
        let sample = PixelMapping.compute(target: target, sampleRows: rows, sampleColumns: columns, source: source, transform: Skew())
        var union: PixelWindow?
        var onSource = 0
        for (j, row) in rows.enumerated() {
            for (i, column) in columns.enumerated() {
                let one = PixelMapping.compute(target: target, rows: row..<(row + 1), columns: column..<(column + 1), source: source,
                                               transform: Skew())
                let k = j * columns.count + i
                #expect(one.column[0].bitPattern == sample.column[k].bitPattern && one.row[0].bitPattern == sample.row[k].bitPattern)
                if let window = one.sourceWindow(margin: 3) {
                    union = union.map { $0.union(window) } ?? window
                    onSource += 1
                }
            }
        }
        #expect(sample.sourceWindow(margin: 3) == union)
        #expect(sample.pointsOnSource == onSource)
        #expect(onSource > 0 && onSource < rows.count * columns.count, "the target overhangs the source")
    }

    @Test func regionalSourceGivesTheSamePositionsAndWindow() throws {
        let source = SourceGrid(crs: .wgs84, isGeographic: false, x: try AxisCoordinates((0..<50).map { 10 + Double($0) }),
                                y: try AxisCoordinates((0..<40).map { 30 - Double($0) }))
        let target = RegularGrid(crs: .wgs84, isGeographic: false, xMin: 0, yMin: 0, xResolution: 0.7, yResolution: 0.7, width: 90,
                                 height: 60, yAxis: .descending)
        check(source: source, target: target)
    }

    @Test func globalSourceWrapsTheSameWay() throws {
        let source = SourceGrid(crs: .wgs84, isGeographic: true, x: try AxisCoordinates((0..<360).map { -179.5 + Double($0) }),
                                y: try AxisCoordinates((0..<60).map { 59.5 - Double($0) }))
        let target = RegularGrid(crs: .wgs84, isGeographic: true, xMin: 150, yMin: -20, xResolution: 0.5, yResolution: 0.5, width: 140,
                                 height: 120, yAxis: .descending)
        check(source: source, target: target)
    }
}
