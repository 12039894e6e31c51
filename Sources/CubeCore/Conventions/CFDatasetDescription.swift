/// Builds a `DatasetDescriptor` from a CF dataset's variables (CF-1.10): the axes (`CFAxes`), the
/// gridded data variables, the grid with its CRS, and the decoded time axis. Shared by every store
/// that reads CF datasets, so NetCDF and Zarr inputs decode alike.
///
/// - The CRS comes from the data variables' `grid_mapping` (its `crs_wkt` or `spatial_ref`, else its
///   CF parameters); without one, from a `spatial_ref` or `crs` variable as rioxarray and xcube
///   write it; a lon/lat grid without either is WGS 84.
/// - Projected axes in km are scaled to metres.
/// - Time is decoded from `units` and `calendar` (every CF calendar).
///
/// ```swift
/// let axes = try CFAxes(variables: variables, path: path)
/// let descriptor = try CFDatasetDescription.describe(location: path, variables: variables, attributes: global,
///                                                    axes: axes) { try values(of: $0) }
/// ```
public enum CFDatasetDescription {
    /// Names of variables that carry a CRS without being named by `grid_mapping` (rioxarray, xcube).
    public static let crsVariableNames = ["spatial_ref", "crs"]

    /// The variables whose values `describe` reads: the axes' coordinates and the time coordinate.
    public static func coordinateVariables<V>(_ axes: CFAxes<V>) -> [V] { [axes.x, axes.y] + (axes.time.map { [$0] } ?? []) }

    /// Describes a dataset.
    /// - Parameters:
    ///   - location: The file, store or URL, named in errors.
    ///   - variables: Every variable.
    ///   - attributes: The global attributes.
    ///   - axes: The axes found among `variables`.
    ///   - values: Reads a coordinate variable's stored values (only those of `coordinateVariables(axes)`).
    /// - Throws: `CubeError` naming `location`: bad axes, an unknown calendar or grid mapping, bad
    ///   time values; or what `values` throws.
    public static func describe<V>(location path: String, variables: [V], attributes: [Attribute], axes: CFAxes<V>,
                                   values: (V) throws -> [Double]) throws -> DatasetDescriptor {
        let (xDimension, yDimension) = axes.dimensions
        var ignored = Set(variables.flatMap { v in
            ["bounds", "climatology"].compactMap { v.attributes[named: $0]?.text } + [v.attributes[named: "grid_mapping"]?.text ?? ""]
        })
        ignored.formUnion([axes.x.name, axes.y.name])
        let dataVariables = variables.filter {
            $0.dimensions.contains(xDimension) && $0.dimensions.contains(yDimension) && $0.dimensions.count >= 2
                && !ignored.contains($0.name) && $0.dataType != nil
        }
        let grid = try sourceGrid(path: path, axes: axes, variables: variables, dataVariables: dataVariables, values: values)
        let (timeUnits, timeValues, dates) = try timeAxis(path: path, time: axes.time, values: values)
        var descriptor = DatasetDescriptor(
            location: path, grid: grid, spatialDimensions: (xDimension, yDimension), timeDimension: axes.time?.name,
            timeUnits: timeUnits, timeValues: timeValues, dates: dates,
            variables: dataVariables.map {
                VariableDescriptor(name: $0.name, dimensions: $0.dimensions, shape: $0.shape, dataType: $0.dataType ?? .float32,
                                   attributes: $0.attributes, packing: CFPacking(attributes: $0.attributes))
            },
            attributes: attributes)
        descriptor.levelCoordinates = levelCoordinates(variables: variables, dataVariables: dataVariables,
                                                       excluding: [xDimension, yDimension, axes.time?.name ?? ""], values: values)
        descriptor.memberCoordinates = memberCoordinates(variables: variables, dataVariables: dataVariables,
                                                         excluding: [xDimension, yDimension, axes.time?.name ?? ""], values: values)
        return descriptor
    }

    /// Describes a dataset on a HEALPix grid (`CFHEALPixGrid`): one cell dimension (both spatial
    /// dimensions of the descriptor), the cells the file stores (`DatasetDescriptor.cellStorage`),
    /// the time axis and vertical coordinates as for raster grids.
    /// - Parameters:
    ///   - values: Reads a variable's stored values (only those of `healpix.coordinateVariables`).
    /// - Throws: `CubeError` naming `location`, the index variable, position and value: an index
    ///   that is not an integer, lies outside the grid or repeats; bad time values; or what `values` throws.
    public static func describe<V>(location path: String, variables: [V], attributes: [Attribute], healpix: CFHEALPixGrid<V>,
                                   values: (V) throws -> [Double]) throws -> DatasetDescriptor {
        let cells = healpix.geometry.count
        var indices: [Int]?
        if let index = healpix.index {
            let stored = try values(index)
            var exact = [Int](repeating: 0, count: stored.count)
            for (k, value) in stored.enumerated() {
                guard value.isFinite, value == value.rounded(), abs(value) < 1e15 else {
                    throw CubeError(.invalidInput, "'\(path)': healpix_index '\(index.name)' value \(value) at position \(k) is not a cell index (missing or fill value?)",
                                    context: ["file": path, "variable": index.name])
                }
                exact[k] = Int(value)
            }
            indices = exact
        }
        let storage: CellGridStorage
        do {
            storage = try CellGridStorage(dimension: healpix.cellDimension, cellCount: cells, indices: indices,
                                          mappingName: healpix.mapping.name, mappingAttributes: healpix.mapping.attributes)
        } catch let error as CubeError {
            throw CubeError(.invalidInput, "'\(path)': healpix_index '\(healpix.index?.name ?? "")': \(error.message) (\(healpix.geometry.summary))",
                            context: ["file": path, "variable": healpix.index?.name ?? ""])
        }
        let (timeUnits, timeValues, dates) = try timeAxis(path: path, time: healpix.time, values: values)
        var descriptor = DatasetDescriptor(
            location: path, grid: try SourceGrid(cells: healpix.geometry),
            spatialDimensions: (healpix.cellDimension, healpix.cellDimension), timeDimension: healpix.time?.name,
            timeUnits: timeUnits, timeValues: timeValues, dates: dates,
            variables: healpix.dataVariables.map {
                VariableDescriptor(name: $0.name, dimensions: $0.dimensions, shape: $0.shape, dataType: $0.dataType ?? .float32,
                                   attributes: $0.attributes, packing: CFPacking(attributes: $0.attributes))
            },
            attributes: attributes)
        descriptor.cellStorage = storage
        descriptor.levelCoordinates = levelCoordinates(variables: variables, dataVariables: healpix.dataVariables,
                                                       excluding: [healpix.cellDimension, healpix.time?.name ?? ""], values: values)
        return descriptor
    }

    /// The time axis of a dataset's time coordinate: units, stored values and dates (all empty without one).
    private static func timeAxis<V: CFVariableMetadata>(path: String, time: V?, values: (V) throws -> [Double]) throws
        -> (units: CFTimeUnits?, values: [Double], dates: [CalendarDate]) {
        guard let time else { return (nil, [], []) }
        let calendarName = time.attributes[named: "calendar"]?.text ?? "standard"
        guard let calendar = CFCalendar(cfName: calendarName) else {
            throw CubeError(.unsupported, "'\(path)': time calendar '\(calendarName)' is not a CF calendar", context: ["file": path])
        }
        guard let unitsText = time.attributes[named: "units"]?.text else {
            throw CubeError(.invalidInput, "'\(path)': time variable '\(time.name)' has no units", context: ["file": path])
        }
        do {
            let units = try CFTimeUnits(parsing: unitsText, calendar: calendar)
            let timeValues = try values(time)
            if let bad = timeValues.firstIndex(where: { !$0.isFinite || abs($0 * units.unitSeconds) > 1e14 }) {
                throw CubeError(.invalidInput,
                    "time value \(timeValues[bad]) at index \(bad) of '\(time.name)' is not a valid time (missing or fill value?)")
            }
            return (units, timeValues, timeValues.map(units.date))
        } catch let error as CubeError {
            throw CubeError(error.code, "'\(path)': \(error.message)", context: ["file": path])
        }
    }

    /// The dimension names taken for ensemble members when their coordinate has no `standard_name`.
    static let memberNames: Set<String> = ["member", "realization", "ensemble", "number"]

    /// Ensemble-member coordinates of the data variables' other dimensions: a 1-D coordinate
    /// variable of the dimension with `standard_name: realization` or one of `memberNames`, whose
    /// values are finite numbers.
    private static func memberCoordinates<V: CFVariableMetadata>(variables: [V], dataVariables: [V], excluding: Set<String>,
                                                                 values: (V) throws -> [Double]) -> [String: [Double]] {
        var coordinates: [String: [Double]] = [:]
        for dimension in Set(dataVariables.flatMap(\.dimensions)).subtracting(excluding).sorted() {
            guard let variable = variables.first(where: { $0.name == dimension && $0.dimensions == [dimension] }) else { continue }
            let standardName = variable.attributes[named: "standard_name"]?.text
            guard standardName == "realization" || (standardName == nil && memberNames.contains(dimension.lowercased())),
                  let stored = try? values(variable), !stored.isEmpty, stored.allSatisfy(\.isFinite) else { continue }
            coordinates[dimension] = stored
        }
        return coordinates
    }

    /// Vertical coordinates (a `plev`) of the data variables' other dimensions, where their
    /// coordinate variable says what they measure.
    private static func levelCoordinates<V: CFVariableMetadata>(variables: [V], dataVariables: [V], excluding: Set<String>,
                                                                values: (V) throws -> [Double]) -> [String: LevelCoordinate] {
        var coordinates: [String: LevelCoordinate] = [:]
        let other = Set(dataVariables.flatMap(\.dimensions)).subtracting(excluding)
        for dimension in other.sorted() {
            guard let variable = variables.first(where: { $0.name == dimension && $0.dimensions == [dimension] }),
                  let coordinate = VerticalCoordinate(cfAttributes: variable.attributes),
                  let stored = try? values(variable), stored.allSatisfy(\.isFinite) else { continue }
            coordinates[dimension] = LevelCoordinate(values: stored, coordinate: coordinate)
        }
        return coordinates
    }

    /// The grid: 1-D axes with the grid mapping's CRS, or the geolocation of 2-D longitudes/latitudes.
    private static func sourceGrid<V>(path: String, axes: CFAxes<V>, variables: [V], dataVariables: [V],
                                      values: (V) throws -> [Double]) throws -> SourceGrid {
        if axes.isCurvilinear {
            func decoded(_ variable: V) throws -> [Double] {
                var stored = try values(variable)
                let packing = CFPacking(attributes: variable.attributes)
                for k in stored.indices where packing.missingValues.contains(stored[k]) || abs(stored[k]) > 1e30 { stored[k] = .nan }
                return stored.map { $0 * packing.scaleFactor + packing.addOffset }
            }
            do {
                let geolocation = try Geolocation(width: axes.y.shape[1], height: axes.y.shape[0],
                                                  longitudes: try decoded(axes.x), latitudes: try decoded(axes.y))
                return try SourceGrid(geolocation: geolocation)
            } catch let error as CubeError {
                throw CubeError(.invalidInput, "'\(path)': 2-D coordinates '\(axes.x.name)'/'\(axes.y.name)': \(error.message)",
                                context: ["file": path])
            }
        }
        let xValues = try scaledToMetres(try values(axes.x), axes.x, geographic: axes.isGeographic, path: path)
        let yValues = try scaledToMetres(try values(axes.y), axes.y, geographic: axes.isGeographic, path: path)
        let xAxis: AxisCoordinates, yAxis: AxisCoordinates
        do {
            xAxis = try AxisCoordinates(xValues)
            yAxis = try AxisCoordinates(yValues)
        } catch let error as CubeError {
            throw CubeError(.invalidInput, "'\(path)': axis '\(axes.x.name)'/'\(axes.y.name)': \(error.message)", context: ["file": path])
        }
        let crs = try gridCRS(path: path, variables: variables, dataVariables: dataVariables, geographic: axes.isGeographic)
        return SourceGrid(crs: crs, isGeographic: axes.isGeographic, x: xAxis, y: yAxis)
    }

    private static func scaledToMetres<V: CFVariableMetadata>(_ values: [Double], _ axis: V, geographic: Bool,
                                                              path: String) throws -> [Double] {
        guard !geographic else { return values }
        switch axis.attributes[named: "units"]?.text?.lowercased() ?? "m" {
        case "m", "metre", "meter", "metres", "meters", "1": return values
        case "km", "kilometre", "kilometer", "kilometres", "kilometers": return values.map { $0 * 1000 }
        case let other:
            throw CubeError(.unsupported, "'\(path)': projected axis '\(axis.name)' has units '\(other)'; m or km expected",
                            context: ["file": path])
        }
    }

    private static func gridCRS<V: CFVariableMetadata>(path: String, variables: [V], dataVariables: [V],
                                                       geographic: Bool) throws -> CRSDefinition {
        func variable(_ name: String) -> V? { variables.first { $0.name == name } }
        if let reference = dataVariables.lazy.compactMap({ $0.attributes[named: "grid_mapping"]?.text }).first {
            // Simple form "crs", or extended form "crs: x y".
            let name = String(reference.split(separator: ":").first ?? Substring(reference)).filter { $0 != " " }
            guard let mapping = variable(name) else {
                throw CubeError(.invalidInput, "'\(path)': grid_mapping '\(name)' names no variable", context: ["file": path])
            }
            if let crs = crs(of: mapping) { return crs }
            throw CubeError(.unsupported,
                "'\(path)': grid mapping '\(name)' has no crs_wkt and an unsupported grid_mapping_name '\(mapping.attributes[named: "grid_mapping_name"]?.text ?? "")'",
                context: ["file": path])
        }
        if geographic { return .wgs84 }
        if let crs = crsVariableNames.lazy.compactMap({ variable($0) }).compactMap({ crs(of: $0) }).first { return crs }
        throw CubeError(.invalidInput, "'\(path)': projected x/y coordinates but no grid_mapping on any data variable",
                        context: ["file": path])
    }

    /// The CRS a grid-mapping variable states: its `crs_wkt` or `spatial_ref`, else its CF parameters.
    private static func crs<V: CFVariableMetadata>(of mapping: V) -> CRSDefinition? {
        if let wkt = mapping.attributes[named: "crs_wkt"]?.text ?? mapping.attributes[named: "spatial_ref"]?.text, !wkt.isEmpty {
            return CRSDefinition(wkt)
        }
        return CFGridMapping.projString(from: mapping.attributes).map { CRSDefinition($0) }
    }
}
