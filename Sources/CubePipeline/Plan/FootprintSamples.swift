import CubeCore
import CubeResampling
import Synchronization

/// The sample points of a target grid transformed into a source CRS while planning footprints,
/// kept per (target grid, CRS) for the process: every source grid in that CRS places the same
/// transformed points on its own pixels, so the 36 tiles of a mosaic in two UTM zones transform
/// the sample twice instead of 36 times (PROJ's trigonometry was half of such a plan's CPU).
/// At most `capacity` samples are kept (a few megabytes); the oldest go first.
final class FootprintSamples: Sendable {
    /// The process's samples.
    static let shared = FootprintSamples()
    /// The most samples kept.
    static let capacity = 64

    private struct Key: Hashable {
        var grid: RegularGrid
        var crs: CRSDefinition
    }
    private let known = Mutex<(entries: [Key: (x: [Double], y: [Double])], order: [Key])>(([:], []))

    /// The footprint sample of `target` (every 1/128 of each side, and its last row and column)
    /// placed on `source`: the sample in the source CRS is transformed once per CRS (the tiles of a
    /// mosaic share it), then mapped onto the source's pixels (cell grids: lon/lat).
    /// - Throws: `CubeError` when no transformation between the CRSs exists.
    static func mapping(of target: RegularGrid, on source: SourceGrid) throws -> PixelMapping {
        let stepX = max(1, target.width / 128), stepY = max(1, target.height / 128)
        var columns: [Int] = Array(stride(from: 0, to: target.width, by: stepX))
        if columns.last != target.width - 1 { columns.append(target.width - 1) }
        var rows: [Int] = Array(stride(from: 0, to: target.height, by: stepY))
        if rows.last != target.height - 1 { rows.append(target.height - 1) }
        let coordinates = try shared.coordinates(of: target, in: source.crs) {
            try PlanningTransforms.shared.withTransform(from: target.crs, to: source.crs) { transform in
                PixelMapping.sampleCoordinates(target: target, sampleRows: rows, sampleColumns: columns, transform: transform)
            }
        }
        return PixelMapping.compute(sampleCoordinates: coordinates, width: columns.count, height: rows.count, source: source)
    }

    /// The sample of `grid` in `crs`, made by `make` (which transforms it) when not kept yet.
    func coordinates(of grid: RegularGrid, in crs: CRSDefinition,
                     make: () throws -> (x: [Double], y: [Double])) rethrows -> (x: [Double], y: [Double]) {
        let key = Key(grid: grid, crs: crs)
        if let hit = known.withLock({ $0.entries[key] }) { return hit }
        let made = try make()
        known.withLock { state in
            guard state.entries[key] == nil else { return }
            state.entries[key] = made
            state.order.append(key)
            if state.order.count > FootprintSamples.capacity { state.entries.removeValue(forKey: state.order.removeFirst()) }
        }
        return made
    }
}
