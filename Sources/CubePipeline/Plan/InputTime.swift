import CubeCore
import CubeRecipe

/// Gives files without a time axis (GeoTIFFs) their date from the recipe (`time_from_name` or
/// `times`), and renames numbered bands (`bands:`), so the rest of the pipeline sees one time
/// step per file and the recipe's variable names.
enum InputTime {
    /// The units stamped dates are written in: days since 1970-01-01, proleptic Gregorian.
    static let units = CFTimeUnits(unitName: "days", unitSeconds: 86400, reference: CalendarDate(year: 1970, month: 1, day: 1),
                                   calendar: .prolepticGregorian)

    /// The dimension name stamped dates get.
    static let dimension = "time"

    /// Whether a source's files get their dates from the recipe or a STAC catalogue (or, static, the one placeholder
    /// step of `broadcast_time`).
    static func isStamped(_ section: SourceSection) -> Bool { section.timeFromName != nil || !section.times.isEmpty || section.broadcastTime || section.stac != nil }

    /// The date a static source's one step carries (never an output date: the planner repeats the
    /// step at every output step).
    static let staticDate = CalendarDate(year: 1970, month: 1, day: 1)

    /// `descriptor` with one time step dated by the recipe when it has no time axis, and its
    /// bands renamed.
    /// - Parameters:
    ///   - position: The file's index among the source's sorted paths (for `times`).
    ///   - count: The number of files (for `times`).
    ///   - catalogued: The date a catalogue gives the file (a STAC item's `datetime`).
    /// - Throws: `CubeError` naming the file and the recipe key: no time rule for a time-less
    ///   file, a name the pattern does not match, a `times` list of the wrong length, a band
    ///   the file does not have.
    static func apply(_ section: SourceSection, to descriptor: DatasetDescriptor, position: Int, count: Int,
                      recipe: Recipe, catalogued: CalendarDate? = nil) throws -> DatasetDescriptor {
        var d = descriptor
        d.variables = try renamed(section, d, recipe: recipe)
        if section.broadcastTime { return staticStep(d) }
        // A STAC item's assets with their own time axis (NetCDF) keep it.
        if section.stac != nil, d.timeDimension != nil { return d }
        guard d.timeDimension == nil else {
            if isStamped(section) {
                throw recipe.error("\(section.keyPath).\(section.timeFromName != nil ? "time_from_name" : "times")",
                    "'\(d.location)' has its own time axis ('\(d.timeDimension ?? "")'); time_from_name and times are for files without one")
            }
            return d
        }
        let date: CalendarDate
        if let catalogued {
            date = catalogued
        } else if let pattern = section.timeFromName {
            guard let found = pattern.date(in: d.location) else {
                throw recipe.error("\(section.keyPath).time_from_name",
                    "'\(d.location)': its name does not match time_from_name '\(pattern.pattern)' (or names no valid date)")
            }
            date = found
        } else if !section.times.isEmpty {
            guard section.times.count == count else {
                throw recipe.error("\(section.keyPath).times", "\(section.times.count) dates given for \(count) files; give one per file, in path order")
            }
            date = section.times[position]
        } else {
            throw CubeError(.unsupported,
                "'\(d.location)' has no time axis: give the source time_from_name (or times) to date each file, or broadcast_time: true for static fields",
                context: ["file": d.location, "key": "\(section.keyPath).time_from_name"])
        }
        d.timeDimension = dimension
        d.timeUnits = units
        d.dates = [date]
        d.timeValues = [units.value(date)]
        d.variables = withTime(d.variables, dimension)
        return d
    }

    /// A static source's file as one placeholder step: its variables without a time dimension
    /// (the static fields) gain one of length 1; variables with a time axis are left out, so a
    /// recipe asking for one is told the source holds static fields only.
    private static func staticStep(_ descriptor: DatasetDescriptor) -> DatasetDescriptor {
        var d = descriptor
        let time = d.timeDimension ?? dimension
        d.variables = withTime(d.variables.filter { !$0.dimensions.contains(time) }, time)
        d.timeDimension = time
        d.timeUnits = units
        d.dates = [staticDate]
        d.timeValues = [units.value(staticDate)]
        return d
    }

    /// `variables` with a leading time dimension `time` of length 1.
    private static func withTime(_ variables: [VariableDescriptor], _ time: String) -> [VariableDescriptor] {
        variables.map { v in
            var v = v
            v.dimensions = [time] + v.dimensions
            v.shape = [1] + v.shape
            return v
        }
    }

    private static func renamed(_ section: SourceSection, _ d: DatasetDescriptor, recipe: Recipe) throws -> [VariableDescriptor] {
        guard !section.bands.isEmpty else { return d.variables }
        var variables = d.variables
        for (number, name) in section.bands.sorted(by: { $0.key < $1.key }) {
            guard let index = variables.firstIndex(where: { $0.name == "band_\(number)" }) else {
                throw recipe.error("\(section.keyPath).bands.\(number)",
                    "'\(d.location)' has no band \(number) (variables: \(d.variables.map(\.name).joined(separator: ", ")))")
            }
            variables[index].name = name
        }
        return variables
    }
}

/// A reader whose variables carry the recipe's band names (`bands: {1: red}`): reads of `red`
/// go to the store's `band_1`.
struct BandNamedReader: MultiResolutionReader {
    let base: any DatasetReader
    /// Recipe name → store name.
    let names: [String: String]

    init(base: any DatasetReader, bands: [Int: String]) {
        self.base = base
        names = Dictionary(uniqueKeysWithValues: bands.map { ($0.value, "band_\($0.key)") })
    }

    var descriptor: DatasetDescriptor { base.descriptor }

    func read(_ variable: String, timeIndex: Int, window: PixelWindow) async throws -> [Float] {
        try await base.read(names[variable] ?? variable, timeIndex: timeIndex, window: window)
    }

    func read(_ variable: String, timeIndex: Int, window: PixelWindow, overview: Int) async throws -> [Float] {
        guard overview > 0 else { return try await read(variable, timeIndex: timeIndex, window: window) }
        guard let leveled = base as? any MultiResolutionReader else {
            throw CubeError(.internalInconsistency, "'\(base.descriptor.location)': its reader has no overviews")
        }
        return try await leveled.read(names[variable] ?? variable, timeIndex: timeIndex, window: window, overview: overview)
    }
}
