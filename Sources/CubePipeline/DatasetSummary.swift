public import CubeCore
import Foundation

/// Text descriptions of what a data store sees in a file (`cubegen inspect`).
public enum DatasetSummary {
    /// Describes a dataset: grid, time axis, raster layout (GeoTIFF), variables with their decoding.
    public static func text(_ d: DatasetDescriptor) -> String {
        var lines = ["\(d.location)"]
        if let format = d.format { lines.append("  format    \(format)") }
        let g = d.grid
        if let cells = g.cells {
            lines.append("  grid      cell grid, \(cells.summary) (\(d.spatialDimensions.x)), WGS 84")
            if let storage = d.cellStorage {
                // A CF HEALPix file: which cells it holds, and the grid mapping's other attributes (ellipsoid).
                let order = storage.needsScatter ? (storage.isAscending ? "ascending index" : "index in stored order") : "grid order"
                let mapping = storage.mappingAttributes.filter { !["grid_mapping_name", "indexing_scheme", "refinement_level", "healpix_nside", "healpix_order"].contains($0.name) }
                    .map { "\($0.name) \($0.value)" }
                lines.append("  cells     \(storage.storedCount) of \(storage.cellCount) stored (\(order)), grid mapping '\(storage.mappingName ?? "")'"
                             + (mapping.isEmpty ? "" : " (\(mapping.joined(separator: ", ")); the geometry is spherical)"))
            }
        } else if let geo = g.geolocation {
            let lons = geo.longitudes.filter(\.isFinite), lats = geo.latitudes.filter(\.isFinite)
            lines.append("  grid      curvilinear, \(g.width) × \(g.height) (\(d.spatialDimensions.x) × \(d.spatialDimensions.y)), 2-D longitude/latitude (WGS 84)")
            lines.append(String(format: "  lon/lat   %.6g … %.6g, %.6g … %.6g; %d cells without coordinates", lons.min() ?? .nan, lons.max() ?? .nan,
                                lats.min() ?? .nan, lats.max() ?? .nan, geo.longitudes.count - min(lons.count, lats.count)))
        } else {
            let kind = g.isGeographic ? "geographic" : "projected"
            lines.append("  grid      \(kind), \(g.width) × \(g.height) (\(d.spatialDimensions.x) × \(d.spatialDimensions.y)), CRS \(g.crs.text.prefix(60))\(g.crs.text.count > 60 ? "…" : "")")
            lines.append("  \(d.spatialDimensions.x.padding(toLength: 9, withPad: " ", startingAt: 0)) \(axis(g.x))")
            lines.append("  \(d.spatialDimensions.y.padding(toLength: 9, withPad: " ", startingAt: 0)) \(axis(g.y))")
        }
        for level in d.levels {
            let step = level.grid.x.regular.map { String(format: "pixel %.6g", abs($0.step)) } ?? "irregular"
            let shown = level.index == d.level?.index ? " (described here)" : ""
            lines.append("  level     \(level.index): \(level.path), \(level.grid.width) × \(level.grid.height), \(step)\(shown)")
        }
        if let units = d.timeUnits, let first = d.dates.first, let last = d.dates.last {
            lines.append("  time      \(d.dates.count) steps, \(first) … \(last) (\(units), \(units.calendar.cfName))")
        } else {
            lines.append("  time      none")
        }
        // Vertical coordinates `levels:` can choose from.
        for (dimension, level) in d.levelCoordinates.sorted(by: { $0.key < $1.key }) {
            let values = level.values.map(VerticalCoordinate.format).joined(separator: ", ")
            lines.append("  vertical  \(dimension) (\(level.coordinate.kind.rawValue), becomes '\(level.coordinate.name)'): \(values) \(level.coordinate.sourceUnits)")
        }
        // Ensemble members `members:` can choose from.
        for (dimension, values) in d.memberCoordinates.sorted(by: { $0.key < $1.key }) {
            lines.append("  members   \(dimension): \(values.map(VerticalCoordinate.format).joined(separator: ", ")) (choose with 'members:')")
        }
        // How a raster store holds its pixels (GeoTIFF: `tiff_layout`, `tiff_compression`, …), one line.
        let raster = d.attributes.filter { $0.name.hasPrefix("tiff_") }.map { attribute -> String in
            let label = String(attribute.name.dropFirst(5)).replacingOccurrences(of: "_", with: " ")
            let value = attribute.value.text ?? attribute.value.description
            return ["layout", "compression", "interleave", "raster type"].contains(label) ? value : "\(label) \(value)"
        }
        if !raster.isEmpty { lines.append("  raster    \(raster.joined(separator: "; "))") }
        for v in d.variables {
            var decoding: [String] = []
            if !v.packing.missingValues.isEmpty { decoding.append("missing \(v.packing.missingValues.map { "\($0)" }.joined(separator: ", "))") }
            if v.packing.validMin != nil || v.packing.validMax != nil {
                decoding.append("valid \(v.packing.validMin.map { "\($0)" } ?? "-∞")…\(v.packing.validMax.map { "\($0)" } ?? "∞")")
            }
            if v.packing.scaleFactor != 1 || v.packing.addOffset != 0 {
                decoding.append("× \(v.packing.scaleFactor) + \(v.packing.addOffset)")
            }
            let units = v.attributes[named: "units"]?.text.map { " [\($0)]" } ?? ""
            let name = v.attributes[named: "long_name"]?.text.map { " \"\($0)\"" } ?? ""
            let shape = zip(v.dimensions, v.shape).map { "\($0)=\($1)" }.joined(separator: ", ")
            lines.append("  variable  \(v.name)(\(shape)) \(v.dataType)\(units)\(name)\(decoding.isEmpty ? "" : "; " + decoding.joined(separator: "; "))")
            if let layout = v.layout {
                let chunks = layout.chunks.map(String.init).joined(separator: " × ")
                let shards = layout.shards.map { "; shards " + $0.map(String.init).joined(separator: " × ") } ?? ""
                lines.append("            chunks \(chunks)\(shards); codecs \(layout.codecs)")
            }
        }
        return lines.joined(separator: "\n")
    }

    private static func axis(_ a: AxisCoordinates) -> String {
        let first = a.values.first ?? .nan, last = a.values.last ?? .nan
        let direction = a.count > 1 ? (last > first ? "ascending" : "descending") : "single"
        let step = a.regular.map { String(format: "regular, step %.6g", $0.step) } ?? "irregular"
        return String(format: "%.6g … %.6g, ", first, last) + "\(direction), \(step)"
    }
}
