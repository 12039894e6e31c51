import CubeCore
import CubeProjection
import CubeRecipe
import Foundation

/// Turns the recipe's `grid` section into an exact `RegularGrid`, applying the `snap` rule.
enum TargetGridBuilder {
    static func build(_ recipe: Recipe) throws -> (grid: RegularGrid, crs: CRSDescription) {
        let section = recipe.grid
        let description: CRSDescription
        do {
            description = try CRSDescription(CRSDefinition(section.crs))
        } catch let error as CubeError {
            throw recipe.error("grid.crs", error.message)
        }
        var bbox = section.bbox
        if bbox[0] > bbox[2] {
            // STAC/GeoJSON style: a geographic box across the antimeridian. Longitudes then run
            // past 180° (e.g. 170 … 190), which keeps the axis monotonic.
            guard description.isGeographic else {
                throw recipe.error("grid.bbox", "xmin \(bbox[0]) must be less than xmax \(bbox[2]) for the projected CRS \(section.crs)")
            }
            bbox[2] += 360
        }
        if description.isGeographic {
            if bbox[1] < -90 || bbox[3] > 90 {
                throw recipe.error("grid.bbox", "latitudes must lie within -90…90 for the geographic CRS \(section.crs)")
            }
            if bbox[2] - bbox[0] > 360 + 1e-9 {
                throw recipe.error("grid.bbox", "the longitude span \(bbox[2] - bbox[0])° exceeds 360°")
            }
        }
        let width: Int, height: Int, xRes: Double, yRes: Double
        if let size = section.size {
            width = size[0]
            height = size[1]
            xRes = (bbox[2] - bbox[0]) / Double(width)
            yRes = (bbox[3] - bbox[1]) / Double(height)
        } else {
            let resolution = section.resolution ?? [1, 1]
            xRes = resolution[0]
            yRes = resolution[1]
            let (w, x0, x1) = try snapped(bbox[0], bbox[2], xRes, section.snap, recipe, axis: "x")
            let (h, y0, y1) = try snapped(bbox[1], bbox[3], yRes, section.snap, recipe, axis: "y")
            width = w
            height = h
            bbox = [x0, y0, x1, y1]
        }
        let grid = RegularGrid(crs: CRSDefinition(section.crs), isGeographic: description.isGeographic, xMin: bbox[0], yMin: bbox[1],
                               xResolution: xRes, yResolution: yRes, width: width, height: height, yAxis: section.yAxis)
        return (grid, description)
    }

    /// The pixel count and edges of one axis under the snap rule.
    private static func snapped(_ lo: Double, _ hi: Double, _ res: Double, _ rule: SnapRule, _ recipe: Recipe,
                                axis: String) throws -> (Int, Double, Double) {
        let exact = (hi - lo) / res
        let rounded = exact.rounded()
        if abs(exact - rounded) <= 1e-9 * max(1, abs(exact)) { return (Int(rounded), lo, lo + rounded * res) }
        switch rule {
        case .error:
            throw recipe.error("grid.bbox", String(format: "the %@ extent %.10g is not a whole number of %.10g pixels (%.6f); "
                + "fix the bbox or set grid.snap to expand or shrink", axis, hi - lo, res, exact))
        case .expand:
            let loSnap = (lo / res).rounded(.down) * res, hiSnap = (hi / res).rounded(.up) * res
            return (Int(((hiSnap - loSnap) / res).rounded()), loSnap, hiSnap)
        case .shrink:
            let loSnap = (lo / res).rounded(.up) * res, hiSnap = (hi / res).rounded(.down) * res
            let count = Int(((hiSnap - loSnap) / res).rounded())
            guard count > 0 else { throw recipe.error("grid.bbox", "shrinking the \(axis) extent to whole pixels leaves nothing") }
            return (count, loSnap, hiSnap)
        }
    }
}
