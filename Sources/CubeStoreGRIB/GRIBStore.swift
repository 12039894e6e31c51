public import CubeCore
import CubeProjection
import Foundation
import Synchronization

/// Reads GRIB 1 and GRIB 2 files through ecCodes (`store: grib` in recipes).
///
/// - A file is indexed once (each message's byte range and keys); a read decodes only the message
///   it needs.
/// - Messages become variables by short name; a parameter on several levels or ensemble members
///   becomes one variable per level and member, named `SHORTNAME_TYPEOFLEVEL_LEVEL` and `…_mN`
///   (`cubegen inspect FILE --store grib` lists them). The time axis is the valid times
///   (`validityDate`, `validityTime`).
/// - Grids: regular lat/lon (`regular_ll`) and regular Gaussian (`regular_gg`), every scanning
///   mode, bitmaps (missing values → NaN); reduced Gaussian (`reduced_gg`, template 3.40 with
///   `pl`, octahedral included) and HEALPix (template 3.150, ring and nested) as cell grids (one
///   `values` dimension, `CellGridGeometry`). Other grids (Lambert, polar stereographic) are
///   refused with a clear error.
/// - Variables on another grid than the file's first message are left out (named by `inspect`).
/// - Errors name the file and, for a damaged message, its byte offset.
public struct GRIBStore: DataStore {
    /// The name used in recipes.
    public static let identifier = "grib"

    /// The registry entry.
    public static let descriptor = DataStoreDescriptor(
        identifier: identifier, summary: "GRIB 1/2 through ecCodes (regular lat/lon, regular and reduced Gaussian, HEALPix grids)", store: GRIBStore())

    /// ecCodes' version.
    public static var libraryVersion: String { GRIBCalls.version }

    /// Creates the store.
    public init() {}

    public func describe(path: String) async throws -> DatasetDescriptor {
        try GRIBDataset(path: path).descriptor
    }

    public func open(path: String) async throws -> any DatasetReader {
        GRIBReader(dataset: try GRIBDataset(path: path))
    }

    /// Every message of the file at `path`, as indexed (for `cubegen inspect`).
    public static func messages(path: String) throws -> [GRIBMessage] { try GRIBCalls.index(path) }
}

/// One indexed GRIB file: its grid, time axis and variables, and which message holds each
/// variable at each time step.
struct GRIBDataset: Sendable {
    let path: String
    let descriptor: DatasetDescriptor
    /// (variable, time index) → message.
    let messages: [String: [GRIBMessage?]]
    /// The grid's message (its scanning flags apply to every variable on it).
    let layout: GRIBMessage

    init(path: String) throws {
        self.path = path
        let all = try GRIBCalls.index(path)
        let first = all[0]
        guard GRIBDataset.gridTypes.contains(first.gridType) else {
            throw CubeError(.unsupported,
                "'\(path)': GRIB grid type '\(first.gridType)' (message 1, \(first.shortName)) is not supported yet; \(GRIBDataset.gridTypes.joined(separator: ", ")) are",
                context: ["file": path])
        }
        layout = first
        let onGrid = all.filter { $0.sameGrid(as: first) }
        // Names: qualify by level and member only where the file needs it to tell fields apart.
        let byShort = Dictionary(grouping: onGrid, by: \.shortName)
        var named: [String: [GRIBMessage]] = [:]
        for list in byShort.values {
            let levels = Set(list.map { "\($0.typeOfLevel) \($0.level)" }).count > 1
            let members = Set(list.map(\.number)).count > 1
            for message in list { named[message.variableName(qualifiedByLevel: levels, qualifiedByMember: members), default: []].append(message) }
        }
        func date(_ m: GRIBMessage) -> CalendarDate {
            CalendarDate(year: m.validityDate / 10000, month: m.validityDate / 100 % 100, day: m.validityDate % 100,
                         secondOfDay: Double(m.validityTime / 100 * 3600 + m.validityTime % 100 * 60))
        }
        let dates = Array(Set(onGrid.map(date))).sorted()
        let position = Dictionary(uniqueKeysWithValues: dates.enumerated().map { ($1, $0) })
        var table: [String: [GRIBMessage?]] = [:]
        for (name, list) in named {
            var row = [GRIBMessage?](repeating: nil, count: dates.count)
            for message in list {
                let t = position[date(message)]!
                if let other = row[t] {
                    throw CubeError(.invalidInput,
                        "'\(path)': '\(name)' at \(date(message)) is in two messages (#\(other.index + 1) at byte \(other.offset) and #\(message.index + 1) at byte \(message.offset))",
                        context: ["file": path, "variable": name])
                }
                row[t] = message
            }
            if let gap = row.firstIndex(where: { $0 == nil }) {
                throw CubeError(.invalidInput,
                    "'\(path)': '\(name)' has no message at \(dates[gap]) although the file has that time step; give each variable every step",
                    context: ["file": path, "variable": name])
            }
            table[name] = row
        }
        let aliases = GRIBDataset.aliases(of: named)
        for (alias, name) in aliases { table[alias] = table[name] }
        messages = table
        let grid = try GRIBDataset.grid(first, path: path)
        let units = CFTimeUnits(unitName: "seconds", unitSeconds: 1, reference: CalendarDate(year: 1970, month: 1, day: 1), calendar: .standard)
        let aliasesOf = Dictionary(grouping: aliases.keys.sorted(), by: { aliases[$0]! })
        // A projected grid's axes are x and y (metres), a geographic one's longitude and latitude.
        let rasterNames = grid.isGeographic ? (x: "longitude", y: "latitude") : (x: "x", y: "y")
        let variables = named.keys.sorted().map { name -> VariableDescriptor in
            let m = table[name]![0]!
            var attributes = [Attribute("units", .text(m.units)), Attribute("long_name", .text(m.name)),
                              Attribute("GRIB_paramId", .integers([Int64(m.paramId)])), Attribute("GRIB_shortName", .text(m.shortName)),
                              Attribute("GRIB_typeOfLevel", .text(m.typeOfLevel)), Attribute("GRIB_level", .integers([Int64(m.level)])),
                              Attribute("GRIB_number", .integers([Int64(m.number)]))]
            for (key, value) in m.destine?.keys ?? [] {
                attributes.append(Attribute("GRIB_\(key)", ["generation", "realization"].contains(key) ? .integers([Int64(value)!]) : .text(value)))
            }
            if let cf = m.cfName { attributes.append(Attribute("standard_name", .text(cf))) }
            var variable = grid.cells != nil
                ? VariableDescriptor(name: name, dimensions: ["time", "values"], shape: [dates.count, grid.width],
                                     dataType: .float64, attributes: attributes, packing: CFPacking())
                : VariableDescriptor(name: name, dimensions: ["time", rasterNames.y, rasterNames.x], shape: [dates.count, first.nj, first.ni],
                                     dataType: .float64, attributes: attributes, packing: CFPacking())
            variable.aliases = aliasesOf[name] ?? []
            return variable
        }
        let spatial = grid.cells != nil ? (x: "values", y: "values") : rasterNames
        descriptor = DatasetDescriptor(location: path, grid: grid, spatialDimensions: spatial, timeDimension: "time",
                                       timeUnits: units, timeValues: dates.map(units.value), dates: dates, variables: variables,
                                       attributes: [Attribute("GRIB_edition", .integers([Int64(first.edition)]))])
    }

    /// Names that stay the same whichever other fields a file holds: every field also answers to
    /// its short name qualified by level (`t_isobaricInhPa_850`), by member (`2t_m0`) and by both,
    /// where that name is not already a variable's and no other field claims it. A source of several
    /// files then names one field alike in a file of one level and in a file of many.
    static func aliases(of named: [String: [GRIBMessage]]) -> [String: String] {
        var claims: [String: Set<String>] = [:]
        for (name, list) in named {
            let m = list[0]
            for (byLevel, byMember) in [(true, false), (false, true), (true, true)] {
                let alias = m.variableName(qualifiedByLevel: byLevel, qualifiedByMember: byMember)
                if named[alias] == nil { claims[alias, default: []].insert(name) }
            }
        }
        return claims.compactMapValues { $0.count == 1 ? $0.first : nil }
    }

    /// The grid types the store reads.
    static let gridTypes = ["regular_ll", "regular_gg", "reduced_gg", "healpix", "lambert", "polar_stereographic"]

    /// The grid's axes in the order the reader delivers rows and columns: columns west to east
    /// (increasing x), rows in the message's j order.
    static func grid(_ m: GRIBMessage, path: String) throws -> SourceGrid {
        if m.gridType == "healpix" || m.gridType == "reduced_gg" { return try cellGrid(m, path: path) }
        guard m.ni > 1, m.nj > 1 else {
            throw CubeError(.unsupported, "'\(path)': a GRIB grid of \(m.ni) × \(m.nj) points is too small to resample", context: ["file": path])
        }
        let (points, overflow) = m.ni.multipliedReportingOverflow(by: m.nj)
        guard !overflow, points <= GRIBCalls.maximumValues else {
            throw CubeError(.invalidInput,
                "'\(path)': the GRIB message at byte \(m.offset) claims a grid of \(m.ni) × \(m.nj) points, more than the \(GRIBCalls.maximumValues) CubeGen reads (damaged?)",
                context: ["file": path])
        }
        // The grid must agree with the values the message holds: one per point, or with a bitmap
        // (one bit per point, inside the message) at most one per point.
        let consistent = points == m.numberOfDataPoints && (m.bitmapPresent ? points >= m.numberOfValues : points == m.numberOfValues)
        guard consistent else {
            throw CubeError(.invalidInput,
                "'\(path)': the GRIB message at byte \(m.offset) claims a grid of \(m.ni) × \(m.nj) points but holds \(m.numberOfValues) values (damaged?)",
                context: ["file": path])
        }
        if ["lambert", "polar_stereographic"].contains(m.gridType) { return try projectedGrid(m, path: path) }
        var west = m.iScansNegatively ? m.lastLongitude : m.firstLongitude
        var east = m.iScansNegatively ? m.firstLongitude : m.lastLongitude
        if east <= west { east += 360 }
        if west >= 180 && east > 360 { west -= 360; east -= 360 }
        let dx = (east - west) / Double(m.ni - 1)
        let x = (0..<m.ni).map { west + Double($0) * dx }
        var y: [Double]
        if m.gridType == "regular_gg", let gaussian = m.gaussianLatitudes, gaussian.count == m.nj {
            y = gaussian.sorted(by: >)
            if m.jScansPositively { y.reverse() }
        } else {
            let dy = (m.lastLatitude - m.firstLatitude) / Double(m.nj - 1)
            y = (0..<m.nj).map { m.firstLatitude + Double($0) * dy }
        }
        return SourceGrid(crs: .wgs84, isGeographic: true, x: try AxisCoordinates(x), y: try AxisCoordinates(y))
    }
}

extension GRIBDataset {
    /// A Lambert conformal or polar stereographic grid: the first grid point projected with PROJ
    /// (from the grid's own earth to its projection, both as ecCodes states them), then `Dx`/`Dy`
    /// metres a step, in the scanning directions the message gives.
    static func projectedGrid(_ m: GRIBMessage, path: String) throws -> SourceGrid {
        guard let projection = m.projection, projection.dx > 0, projection.dy > 0 else {
            throw CubeError(.invalidInput,
                "'\(path)': the \(m.gridType) grid of the GRIB message at byte \(m.offset) states no projection or grid lengths (damaged?)",
                context: ["file": path])
        }
        let (x0, y0) = try firstPoint(m, projection)
        guard x0.isFinite, y0.isFinite else {
            throw CubeError(.invalidInput,
                "'\(path)': the first grid point (\(m.firstLongitude)°, \(m.firstLatitude)°) of the GRIB message at byte \(m.offset) is outside its \(m.gridType) projection",
                context: ["file": path])
        }
        // Columns come west to east (increasing x) from the reader whatever the i direction.
        let west = m.iScansNegatively ? x0 - Double(m.ni - 1) * projection.dx : x0
        let dy = m.jScansPositively ? projection.dy : -projection.dy
        return SourceGrid(crs: CRSDefinition(projection.target), isGeographic: false,
                          x: try AxisCoordinates((0..<m.ni).map { west + Double($0) * projection.dx }),
                          y: try AxisCoordinates((0..<m.nj).map { y0 + Double($0) * dy }))
    }

    /// The first grid point in the projection, computed once per grid for the process: every
    /// file of an hourly series states the same grid, and a PROJ transformation costs tens of
    /// milliseconds of database queries to create.
    private static func firstPoint(_ m: GRIBMessage, _ projection: GRIBProjection) throws -> (Double, Double) {
        let key = FirstPointKey(projection: projection, longitude: m.firstLongitude, latitude: m.firstLatitude)
        if let known = firstPoints.withLock({ $0[key] }) { return known }
        var x = [m.firstLongitude], y = [m.firstLatitude]
        let transform = try PROJTransform(from: CRSDefinition(projection.source), to: CRSDefinition(projection.target))
        x.withUnsafeMutableBufferPointer { x in y.withUnsafeMutableBufferPointer { y in transform.transform(x: x, y: y) } }
        firstPoints.withLock { cache in
            if cache.count >= 256 { cache.removeAll() }
            cache[key] = (x[0], y[0])
        }
        return (x[0], y[0])
    }

    private struct FirstPointKey: Hashable {
        var projection: GRIBProjection
        var longitude: Double
        var latitude: Double
    }
    private static let firstPoints = Mutex<[FirstPointKey: (Double, Double)]>([:])
}

/// Reads windows of GRIB fields; the last few decoded fields of the process are kept (tasks read
/// windows of one field in turn).
final class GRIBReader: DatasetReader {
    let dataset: GRIBDataset
    /// The last decoded fields of any reader, newest first: at most `recentCount` of them and
    /// `recentBytes` in all (four per reader made an hour of H1024 files hold gigabytes). Keyed
    /// by the reader's serial number, never reused, so a file rewritten and opened again is read anew.
    private static let recent = Mutex<[(reader: Int, offset: Int, values: [Float])]>([])
    private static let recentCount = 4
    private static let recentBytes = 256 << 20
    private static let serials = Atomic<Int>(0)
    /// This reader's key in `recent`.
    private let serial = GRIBReader.serials.wrappingAdd(1, ordering: .relaxed).newValue

    init(dataset: GRIBDataset) { self.dataset = dataset }

    var descriptor: DatasetDescriptor { dataset.descriptor }

    func read(_ variable: String, timeIndex: Int, window: PixelWindow) async throws -> [Float] {
        if dataset.descriptor.grid.cells != nil {
            return try readCells(variable, timeIndex: timeIndex, window: window)
        }
        guard let row = dataset.messages[variable], timeIndex < row.count, let message = row[timeIndex] else {
            throw CubeError(.invalidInput, "'\(dataset.path)' has no GRIB variable '\(variable)' at time step \(timeIndex)",
                            context: ["file": dataset.path, "variable": variable])
        }
        let field = try plane(message)
        let ni = dataset.layout.ni
        var out = [Float](repeating: .nan, count: window.count)
        var k = 0
        for r in window.rows {
            for c in window.columns {
                out[k] = field[r * ni + c]
                k += 1
            }
        }
        return out
    }

    /// The message's values as rows (message j order) of columns west to east.
    func plane(_ message: GRIBMessage) throws -> [Float] {
        let serial = self.serial
        if let hit = GRIBReader.recent.withLock({ $0.first { $0.offset == message.offset && $0.reader == serial }?.values }) { return hit }
        let raw = try GRIBReader.values(dataset.path, message)
        if let cells = dataset.descriptor.grid.cells {
            let field = try cellValues(raw, message, cells)
            remember(field, message)
            return field
        }
        let (ni, nj) = (message.ni, message.nj)
        guard raw.count == ni * nj else {
            throw CubeError(.invalidInput,
                "'\(dataset.path)': GRIB message #\(message.index + 1) at byte \(message.offset) has \(raw.count) values for a \(ni) × \(nj) grid",
                context: ["file": dataset.path])
        }
        var field = [Float](repeating: .nan, count: ni * nj)
        for j in 0..<nj {
            for i in 0..<ni {
                let source = message.jPointsAreConsecutive ? i * nj + j : j * ni + i
                let column = message.iScansNegatively ? ni - 1 - i : i
                field[j * ni + column] = raw[source]
            }
        }
        remember(field, message)
        return field
    }

    /// The values of `message` in its scanning order, NaN where missing: simple-packed GRIB 2
    /// fields decoded by CubeGen (`GRIBSimplePacking`, in the calling thread, so tasks decode in
    /// parallel) straight from the mapped file (`GRIBMappedMessage`), any other packing by ecCodes
    /// (under its lock).
    /// - Throws: `CubeError` naming the file and offset when the message cannot be read or decoded.
    static func values(_ path: String, _ message: GRIBMessage) throws -> [Float] {
        try GRIBMappedMessage.with(path, offset: message.offset, length: message.length) { bytes in
            try values(bytes, path: path, message)
        }
    }

    /// `values(_:_:)` of a message's bytes already in memory (mapped): simple packing decoded here,
    /// any other packing handed to ecCodes as a copy of the bytes.
    static func values(_ bytes: UnsafeRawBufferPointer, path: String, _ message: GRIBMessage) throws -> [Float] {
        if let own = GRIBSimplePacking.decode(bytes), own.count == message.numberOfDataPoints { return own }
        return try GRIBCalls.values(Array(bytes), path: path, offset: message.offset).map(Float.init)
    }

    /// Keeps a decoded field among the last few.
    private func remember(_ field: [Float], _ message: GRIBMessage) {
        let serial = self.serial
        GRIBReader.recent.withLock { cache in
            cache.removeAll { $0.offset == message.offset && $0.reader == serial }
            cache.insert((serial, message.offset, field), at: 0)
            var bytes = 0
            for (k, entry) in cache.enumerated() {
                bytes += entry.values.count * MemoryLayout<Float>.size
                if k >= GRIBReader.recentCount || (k > 0 && bytes > GRIBReader.recentBytes) {
                    cache.removeSubrange(k...)
                    break
                }
            }
        }
    }
}
