/// A HEALPix grid described with CF attributes, found among a dataset's variables: CF-1.13's
/// `grid_mapping_name: healpix` with `indexing_scheme` and `refinement_level`, or the older
/// `healpix_nside`/`healpix_order` attributes easygems, grid-doctor and gridlook write. Shared by the
/// NetCDF and Zarr stores (`CFDatasetDescription.describe(location:variables:attributes:healpix:values:)`).
///
/// What is read:
/// - **The grid mapping**: a variable whose `grid_mapping_name` is `healpix`, the one the data
///   variables' `grid_mapping` names, or, when none names one, the dataset's only such variable.
/// - **CF-1.13**: `indexing_scheme` `nested` or `ring` (`nuniq`/`zuniq` are refused) and
///   `refinement_level` (an integer ≥ 0, Nside = 2^level, mandatory).
/// - **Older form** (no `indexing_scheme`): `healpix_order` `nest`/`nested` or `ring` and
///   `healpix_nside` (≥ 1; a power of two for nested), or `refinement_level` instead of the Nside.
/// - Ellipsoid attributes (`earth_radius`, `reference_ellipsoid_name`, `semi_major_axis`, …) are
///   kept as the mapping's attributes; the geometry is spherical.
/// - **The cells**: the dimension of a 1-D `standard_name: healpix_index` variable (a coordinate
///   variable, or an auxiliary one), whose values are the cells stored (a subset of the sphere,
///   in any order); without one, the only dimension of `12·Nside²` cells, holding every cell in
///   grid order.
///
/// Every error is one line naming the file, the variable and the value.
public struct CFHEALPixGrid<Variable: CFVariableMetadata>: Sendable {
    /// The grid.
    public var geometry: CellGridGeometry
    /// The grid-mapping variable.
    public var mapping: Variable
    /// The dimension along which the cells are stored.
    public var cellDimension: String
    /// The `healpix_index` variable, if the dataset has one.
    public var index: Variable?
    /// The 1-D time coordinate, if any.
    public var time: Variable?
    /// The variables stored along the cell dimension (not coordinates, bounds or the index).
    public var dataVariables: [Variable]

    /// The largest grid read: 12·Nside² cells (a whole-sphere plane of values is held per field),
    /// as for GRIB messages. Nside 2048 (refinement level 11) is the largest power of two within it.
    public static var maximumCells: Int { 1 << 27 }

    /// The variables whose values `CFDatasetDescription` reads: the index and the time coordinate.
    public var coordinateVariables: [Variable] { [index, time].compactMap { $0 } }

    /// Finds the HEALPix grid of a dataset.
    /// - Returns: `nil` when no variable has `grid_mapping_name: healpix`.
    /// - Throws: `CubeError` naming `path`, the variable and the value: a missing, negative or too
    ///   large `refinement_level`/`healpix_nside`, an unknown or unsupported indexing scheme, no
    ///   cell dimension, several candidates for the mapping, index or cell dimension, a data
    ///   variable whose cell count differs from the index's.
    public static func find(in variables: [Variable], path: String) throws -> CFHEALPixGrid? {
        func text(_ v: Variable, _ name: String) -> String? { v.attributes[named: name]?.text?.trimmingSpaces }
        let candidates = variables.filter { text($0, "grid_mapping_name")?.lowercased() == "healpix" }
        guard !candidates.isEmpty else { return nil }
        func fail(_ message: String, _ variable: String) -> CubeError {
            CubeError(.invalidInput, "'\(path)': \(message)", context: ["file": path, "variable": variable])
        }
        // The mapping the data variables name (simple form "crs", extended form "crs: lat lon").
        let named = Set(variables.compactMap { v -> String? in
            guard let reference = text(v, "grid_mapping") else { return nil }
            return String(reference.split(separator: ":").first ?? Substring(reference)).trimmingSpaces
        })
        let referenced = candidates.filter { named.contains($0.name) }
        let mapping: Variable
        switch (referenced.count, candidates.count) {
        case (1, _): mapping = referenced[0]
        case (0, 1): mapping = candidates[0]
        default:
            let names = (referenced.isEmpty ? candidates : referenced).map(\.name)
            throw fail("several HEALPix grid mappings (\(names.joined(separator: ", "))); CubeGen reads one grid per file", names[0])
        }
        let geometry = try Self.geometry(of: mapping, path: path)
        let cells = geometry.count

        // The index coordinate, else the dimension of every cell.
        let indexCandidates = variables.filter { text($0, "standard_name")?.lowercased() == "healpix_index" }
        var index: Variable?
        if !indexCandidates.isEmpty {
            let coordinates = indexCandidates.filter { $0.dimensions == [$0.name] }
            let preferred = coordinates.count == 1 ? coordinates : indexCandidates
            guard preferred.count == 1 else {
                throw fail("several healpix_index variables (\(preferred.map(\.name).joined(separator: ", "))); one expected", preferred[0].name)
            }
            index = preferred[0]
            guard preferred[0].dimensions.count == 1 else {
                throw fail("healpix_index variable '\(preferred[0].name)' has \(preferred[0].dimensions.count) dimensions \(preferred[0].dimensions); one expected",
                           preferred[0].name)
            }
        }
        let ignored = Self.coordinateNames(variables).union([mapping.name])
        let cellDimension: String
        if let index {
            cellDimension = index.dimensions[0]
        } else {
            var lengths: [String: Int] = [:]
            for v in variables where !ignored.contains(v.name) && v.dataType != nil {
                for (dimension, length) in zip(v.dimensions, v.shape) where length == cells { lengths[dimension] = length }
            }
            let full = lengths.keys.sorted()
            guard full.count == 1 else {
                throw fail(full.isEmpty
                    ? "HEALPix grid mapping '\(mapping.name)' (\(geometry.summary)): no healpix_index coordinate and no dimension of \(cells) cells"
                    : "HEALPix grid mapping '\(mapping.name)' (\(geometry.summary)): no healpix_index coordinate and several dimensions of \(cells) cells (\(full.joined(separator: ", ")))",
                    mapping.name)
            }
            cellDimension = full[0]
        }
        let stored = index?.shape.first ?? cells
        if stored > cells {
            throw fail("healpix_index '\(index!.name)' has \(stored) values but \(geometry.summary) has \(cells)", index!.name)
        }
        let dataVariables = variables.filter {
            $0.dimensions.contains(cellDimension) && !ignored.contains($0.name) && $0.name != index?.name && $0.dataType != nil
                && !["latitude", "longitude", "healpix_index"].contains(text($0, "standard_name")?.lowercased() ?? "")
        }
        // A variable on the grid mapping but not along the cell dimension is on other cells than the index names.
        for v in variables where !v.dimensions.contains(cellDimension) && !ignored.contains(v.name) {
            guard let reference = text(v, "grid_mapping"),
                  String(reference.split(separator: ":").first ?? Substring(reference)).trimmingSpaces == mapping.name else { continue }
            let what = index.map { "the healpix_index '\($0.name)' (\(stored) values)" } ?? "every cell of \(geometry.summary)"
            throw fail("variable '\(v.name)' has grid_mapping '\(mapping.name)' but dimensions \(v.dimensions) without '\(cellDimension)', which holds \(what)", v.name)
        }
        for v in dataVariables {
            let length = v.shape[v.dimensions.firstIndex(of: cellDimension)!]
            guard length == stored else {
                let what = index.map { "the healpix_index '\($0.name)' has \(stored)" } ?? "\(geometry.summary) has \(cells)"
                throw fail("variable '\(v.name)' has \(length) cells along '\(cellDimension)' but \(what)", v.name)
            }
        }
        let time = variables.first { $0.dimensions.count == 1 && $0.dimensions[0] == $0.name && CFAxes.kind(of: $0) == .time }
        return CFHEALPixGrid(geometry: geometry, mapping: mapping, cellDimension: cellDimension, index: index, time: time,
                             dataVariables: dataVariables)
    }

    /// The grid a HEALPix grid-mapping variable states (see the type's documentation).
    /// - Throws: `CubeError` naming `path`, the variable, the attribute and its value.
    public static func geometry(of mapping: Variable, path: String) throws -> CellGridGeometry {
        func fail(_ message: String) -> CubeError {
            CubeError(.invalidInput, "'\(path)': HEALPix grid mapping '\(mapping.name)': \(message)", context: ["file": path, "variable": mapping.name])
        }
        let attributes = mapping.attributes
        /// An integer attribute (a number, or text holding one), `nil` when absent.
        func integer(_ name: String) throws -> Int? {
            guard let value = attributes[named: name] else { return nil }
            if let text = value.text, let parsed = Int(text.trimmingSpaces) { return parsed }
            guard let numbers = value.numbers, numbers.count == 1, let number = numbers.first, number.isFinite,
                  number == number.rounded(), abs(number) < 1e15 else {
                throw fail("\(name) \(value) is not an integer")
            }
            return Int(number)
        }
        let maximumLevel = 11  // 12·4^11 = 50,331,648 cells; level 12 passes `maximumCells`
        func sideFromLevel(_ level: Int, _ name: String) throws -> Int {
            guard level >= 0 else { throw fail("\(name) \(level) is negative; Nside = 2^\(name) needs \(name) ≥ 0") }
            guard level <= maximumLevel else {
                throw fail("\(name) \(level) is too large: CubeGen reads HEALPix grids up to \(name) \(maximumLevel) (Nside 2048, \(12 << (2 * maximumLevel)) cells)")
            }
            return 1 << level
        }
        let nested: Bool
        let nside: Int
        if let scheme = attributes[named: "indexing_scheme"] {
            switch scheme.text?.trimmingSpaces.lowercased() {
            case "nested": nested = true
            case "ring": nested = false
            case "nuniq", "zuniq":
                throw fail("indexing_scheme \(scheme) (multi-order cells) is not supported; nested and ring are")
            default:
                throw fail("indexing_scheme \(scheme) is not a HEALPix indexing scheme (nested, ring, nuniq, zuniq)")
            }
            guard let level = try integer("refinement_level") else {
                throw fail("no refinement_level (mandatory with indexing_scheme \(scheme); Nside = 2^refinement_level)")
            }
            nside = try sideFromLevel(level, "refinement_level")
        } else if let order = attributes[named: "healpix_order"] {
            switch order.text?.trimmingSpaces.lowercased() {
            case "nest", "nested": nested = true
            case "ring": nested = false
            default: throw fail("healpix_order \(order) is not nest, nested or ring")
            }
            if let level = try integer("refinement_level") {
                nside = try sideFromLevel(level, "refinement_level")
            } else if let given = try integer("healpix_nside") {
                guard given >= 1 else { throw fail("healpix_nside \(given) is not positive") }
                guard given <= 1 << 20, 12 * given * given <= maximumCells else {
                    throw fail("healpix_nside \(given) is too large: CubeGen reads HEALPix grids of at most \(maximumCells) cells")
                }
                guard !nested || given & (given - 1) == 0 else { throw fail("healpix_nside \(given) is not a power of two, as nested order needs") }
                nside = given
            } else {
                throw fail("no healpix_nside or refinement_level beside healpix_order \(order)")
            }
        } else {
            throw fail("neither indexing_scheme and refinement_level (CF-1.13) nor healpix_order and healpix_nside")
        }
        if let stated = try integer("healpix_nside"), stated != nside {
            throw fail("healpix_nside \(stated) disagrees with refinement_level (Nside \(nside))")
        }
        return .healpix(nside: nside, nested: nested)
    }

    /// Names of variables that other variables name as coordinates, bounds or grid mappings.
    private static func coordinateNames(_ variables: [Variable]) -> Set<String> {
        var names: Set<String> = []
        for v in variables {
            for key in ["coordinates", "bounds", "climatology"] {
                for word in (v.attributes[named: key]?.text ?? "").split(whereSeparator: { $0 == " " }) { names.insert(String(word)) }
            }
        }
        return names
    }
}

extension String {
    /// The text without leading and trailing spaces.
    fileprivate var trimmingSpaces: String {
        var text = Substring(self)
        while text.first == " " { text = text.dropFirst() }
        while text.last == " " { text = text.dropLast() }
        return String(text)
    }
}

extension Substring {
    /// The text without leading and trailing spaces.
    fileprivate var trimmingSpaces: String { String(self).trimmingSpaces }
}
