public import CubeCore
public import CubeStorage
import CubeStoreZarr
import Foundation
import Zarr

/// One cube the server serves: the cube (level 0) and its pyramid levels (`NAME.levels/k.zarr`
/// when CubeGen wrote one), opened once with the Zarr store, local or on object storage, with
/// what the dataset list shows.
public final class ServedCube: Sendable {
    /// One resolution level: its reader and grid.
    struct Level: Sendable {
        let reader: any DatasetReader
        var grid: SourceGrid { reader.descriptor.grid }
        /// The pixel size in CRS units (x).
        var resolution: Double { abs(grid.x.values.count > 1 ? grid.x.values[1] - grid.x.values[0] : 1) }
        /// The mean of the x and y pixel sizes in CRS units.
        var averageResolution: Double {
            (resolution + abs(grid.y.values.count > 1 ? grid.y.values[1] - grid.y.values[0] : resolution)) / 2
        }
    }

    /// The dataset identifier: the cube's folder name without `.zarr`.
    public let id: String
    /// The cube's path.
    public let path: String
    let levels: [Level]
    /// The time-series copy (`NAME.ts.zarr`, same grid and steps), when a finished one is beside
    /// the cube: time series read it instead of level 0.
    let timeSeries: (any DatasetReader)?
    /// What time series read: the copy, else level 0 opened to decode whole chunks (a series walks
    /// every step of a chunk, so one decode serves them all; tiles decode single steps).
    let seriesReader: any DatasetReader
    /// Level 0's descriptor.
    public var descriptor: DatasetDescriptor { levels[0].reader.descriptor }
    /// The data variables: those with time, y and x dimensions (and any between time and y whose
    /// coordinates the cube holds: members, levels).
    public let variables: [VariableDescriptor]
    /// Colour-bar defaults per variable: the range of its values at the last time step on the
    /// coarsest level (the quick-look's step), or 0…1 when there is none.
    let colorRanges: [String: (min: Double, max: Double)]
    /// The time steps in seconds since 1970, for `timeIndex`.
    let dateSeconds: [Double]

    private init(id: String, path: String, levels: [Level], timeSeries: (any DatasetReader)?, seriesReader: any DatasetReader,
                 variables: [VariableDescriptor],
                 colorRanges: [String: (min: Double, max: Double)]) {
        self.id = id
        self.path = path
        self.levels = levels
        self.timeSeries = timeSeries
        self.seriesReader = seriesReader
        self.variables = variables
        self.colorRanges = colorRanges
        dateSeconds = levels[0].reader.descriptor.dates.map { ISODate.seconds($0.iso8601(alwaysTime: true)) ?? 0 }
    }

    /// Opens the cube at `location` (a local folder, or an `s3://`/`https://` prefix the registry
    /// opens with `options`) and, beside it, its finished pyramid `NAME.levels` (one with
    /// `.zlevels`) and its finished time-series copy `NAME.ts.zarr`.
    /// - Throws: `CubeError` naming the location when it is not a Zarr cube with a time axis or
    ///   cannot be read.
    public static func open(location: String, registry: StorageRegistry = .standard, options: StorageOptions = StorageOptions(),
                            chunkCacheBytes: Int = 256 << 20) async throws -> ServedCube {
        var base = location
        while base.count > 1 && base.hasSuffix("/") { base.removeLast() }
        let url: StorageURL
        do {
            url = try StorageURL(base)
        } catch {
            throw CubeError(.invalidInput, "'\(base)': \(error)", context: ["file": base])
        }
        if url.scheme == "file" {
            var isDirectory: ObjCBool = false
            guard FileManager.default.fileExists(atPath: url.path, isDirectory: &isDirectory), isDirectory.boolValue else {
                throw CubeError(.invalidInput, "'\(base)' is not a Zarr cube (no such directory)", context: ["file": base])
            }
        }
        func storage(_ text: String) throws -> any ReadableStorage {
            do {
                return try registry.open(try StorageURL(text), options: options)
            } catch let error as StorageError {
                throw CubeError(.storage, "\(error)", context: ["location": text], underlying: error)
            }
        }
        // Tiles read single steps (stored chunks cached); series read whole chunks (decoded ones cached).
        let store = ZarrStore(chunkCacheBudget: chunkCacheBytes / 2, decodesSteps: true)
        let seriesStore = ZarrStore(chunkCacheBudget: chunkCacheBytes / 2)
        let cube = try await store.open(DatasetReference(location: base, storage: try storage(base)))
        guard cube.descriptor.timeDimension != nil, !cube.descriptor.dates.isEmpty else {
            throw CubeError(.invalidInput, "'\(base)' has no time axis: cubegen serve serves data cubes (time, y, x)", context: ["file": base])
        }
        var levels = [Level(reader: cube)]
        let stem = base.hasSuffix(".zarr") ? String(base.dropLast(5)) : base
        let pyramid = stem + ".levels"
        // A finished pyramid only: `.zlevels` is written last (and removed while a run changes it).
        if let bytes = try await storage(pyramid).get(StoreKey(".zlevels")), let count = (try? JSONValue.parse(bytes))?["num_levels"]?.intValue {
            for k in 1..<max(1, min(count, 32)) {
                let level = "\(pyramid)/\(k).zarr"
                levels.append(Level(reader: try await store.open(DatasetReference(location: level, storage: try storage(level)))))
            }
        }
        let (x, y) = cube.descriptor.spatialDimensions
        let variables = cube.descriptor.variables.filter { variable in
            let dimensions = variable.dimensions, count = dimensions.count
            guard count >= 3, dimensions[count - 2] == y, dimensions[count - 1] == x else { return false }
            return (1..<(count - 2)).allSatisfy { layerCoordinates(dimensions[$0], of: cube.descriptor)?.count == variable.shape[$0] }
        }
        var ranges: [String: (min: Double, max: Double)] = [:]
        let top = levels[levels.count - 1]
        let last = cube.descriptor.dates.count - 1
        let whole = PixelWindow(rows: 0..<top.grid.height, columns: 0..<top.grid.width)
        for variable in variables {
            let first = [Int](repeating: 0, count: variable.dimensions.count - 3)
            let values = try await ServedCube.read(top.reader, variable, timeIndex: last, layer: first, window: whole, path: base).filter { !$0.isNaN }
            if let low = values.min(), let high = values.max() {
                ranges[variable.name] = (Double(low), high > low ? Double(high) : Double(low) + 1)
            }
        }
        // A finished copy only (its marker holds a digest, not "unfinished") with the cube's shape.
        var timeSeries: (any DatasetReader)?
        let copy = stem + ".ts.zarr"
        let copyStorage = try storage(copy)
        if let marker = try await copyStorage.get(StoreKey(".cubegen-timeseries")),
           !String(decoding: marker, as: UTF8.self).hasPrefix("unfinished"),
           let reader = try? await seriesStore.open(DatasetReference(location: copy, storage: copyStorage)),
           reader.descriptor.grid == cube.descriptor.grid, reader.descriptor.dates == cube.descriptor.dates {
            timeSeries = reader
        }
        let id = String(stem.split(separator: "/").last ?? Substring(stem))
        var seriesReader = timeSeries
        if seriesReader == nil { seriesReader = try await seriesStore.open(DatasetReference(location: base, storage: try storage(base))) }
        return ServedCube(id: id, path: base, levels: levels, timeSeries: timeSeries, seriesReader: seriesReader!, variables: variables,
                          colorRanges: ranges)
    }

    /// Opens the local cube at `path`, as `open(location:)` does.
    public static func open(path: String, chunkCacheBytes: Int = 256 << 20) async throws -> ServedCube {
        try await open(location: path, chunkCacheBytes: chunkCacheBytes)
    }

    /// The zoom range of the geographic tiling scheme (2 × 1 tiles of 256 pixels at zoom 0) that
    /// the levels match, as xcube Server computes it for `tileLevelMin`/`tileLevelMax`
    /// (`TilingScheme.get_levels_for_resolutions`: ⌈log2(zoom-0 pixel / level pixel)⌉ in degrees,
    /// metres converted at the equator). The xcube Viewer lets the map zoom to `tileLevelMax + 3`.
    var tileLevels: (min: Int, max: Int) {
        let levelZero = 180.0 / 256
        let toDegrees = descriptor.grid.isGeographic ? 1 : 360 / (2 * Double.pi * 6_378_137)
        let zooms = levels.map(\.averageResolution).filter { $0 > 0 && $0.isFinite }.map { Int((log2(levelZero / ($0 * toDegrees))).rounded(.up)) }
        let low = max(zooms.min() ?? 0, 0)
        return (low, max(zooms.max() ?? 0, low))
    }

    /// The variable named `name`.
    /// - Throws: `ServeError` 404 naming the dataset and variable.
    func variable(_ name: String) throws -> VariableDescriptor {
        guard let variable = variables.first(where: { $0.name == name }) else {
            throw ServeError.notFound("dataset '\(id)' has no variable '\(name)' (variables: \(variables.map(\.name).joined(separator: ", ")))")
        }
        return variable
    }

    /// The time index of `text` (an ISO 8601 date or date-time; the nearest step), or the last
    /// step when `nil` or `current`.
    /// - Throws: `ServeError` 400 naming the value when it is not a date.
    func timeIndex(_ text: String?) throws -> Int {
        let dates = descriptor.dates
        guard let text, text != "current" else { return dates.count - 1 }
        guard let wanted = ISODate.seconds(text) else {
            throw ServeError.badRequest("time '\(text)' is not an ISO 8601 date (2020-01-31 or 2020-01-31T12:00:00Z)")
        }
        let seconds = dateSeconds
        return seconds.indices.min { abs(seconds[$0] - wanted) < abs(seconds[$1] - wanted) }!
    }

    /// The dimensions of `variable` between time and y (members, levels) with their coordinates.
    func layerDimensions(_ variable: VariableDescriptor) -> [(name: String, values: [Double])] {
        guard variable.dimensions.count > 3 else { return [] }
        return variable.dimensions[1..<(variable.dimensions.count - 2)].map { ($0, ServedCube.layerCoordinates($0, of: descriptor) ?? []) }
    }

    /// The coordinate values of a member or level dimension, as the cube stores them.
    private static func layerCoordinates(_ dimension: String, of descriptor: DatasetDescriptor) -> [Double]? {
        descriptor.levelCoordinates[dimension]?.values ?? descriptor.memberCoordinates[dimension]
    }

    /// The layer a request selects, as xcube reads non-spatial labels: for each dimension of
    /// `variable` between time and y, the query parameter named after it — a coordinate value
    /// (the nearest is taken), `first` or `last` — and the first element when absent.
    /// - Throws: `ServeError` 400 naming the dimension and the value.
    func layer(of variable: VariableDescriptor, query: (String) -> String?) throws -> [Int] {
        try layerDimensions(variable).map { name, values in
            guard let text = query(name), !values.isEmpty else { return 0 }
            switch text.lowercased() {
            case "first": return 0
            case "last": return values.count - 1
            default:
                guard let wanted = Double(text), wanted.isFinite else {
                    throw ServeError.badRequest("\(name) '\(text)' is not one of the \(name) coordinates (\(values.map { "\($0)" }.joined(separator: ", ")))")
                }
                return values.indices.min { abs(values[$0] - wanted) < abs(values[$1] - wanted) }!
            }
        }
    }

    /// Reads one time step of `variable` at `layer` (`[]` for a (time, y, x) variable) from `reader`.
    /// - Throws: `ServeError` 404 for an unknown variable, `CubeError` when the read fails.
    func read(_ reader: any DatasetReader, _ variable: String, timeIndex: Int, layer: [Int], window: PixelWindow) async throws -> [Float] {
        try await ServedCube.read(reader, try self.variable(variable), timeIndex: timeIndex, layer: layer, window: window, path: path)
    }

    /// Reads `variable` at `layer`: one element of each of its dimensions between time and y.
    private static func read(_ reader: any DatasetReader, _ variable: VariableDescriptor, timeIndex: Int, layer: [Int], window: PixelWindow,
                             path: String) async throws -> [Float] {
        guard !layer.isEmpty else { return try await reader.read(variable.name, timeIndex: timeIndex, window: window) }
        guard let layered = reader as? any LevelDatasetReader else {
            throw CubeError(.unsupported, "'\(path)': variable '\(variable.name)' has dimensions between time and y that this reader cannot select")
        }
        let selection = zip(variable.dimensions.dropFirst(), layer).map { (dimension: $0, index: $1) }
        return try await layered.read(variable.name, timeIndex: timeIndex, selection: selection, window: window)
    }

    /// The times as xcube shows them (`2020-01-01T00:00:00Z`).
    var times: [String] { descriptor.dates.map { $0.iso8601(alwaysTime: true) } }
}

/// ISO 8601 dates and date-times to seconds since 1970 (proleptic Gregorian, UTC).
enum ISODate {
    static func seconds(_ text: String) -> Double? {
        let trimmed = text.hasSuffix("Z") ? String(text.dropLast()) : text
        let parts = trimmed.split(separator: "T", maxSplits: 1)
        let date = parts[0].split(separator: "-").compactMap { Int($0) }
        guard date.count == 3, (1...12).contains(date[1]), (1...31).contains(date[2]) else { return nil }
        var seconds = 0.0
        if parts.count == 2 {
            let time = parts[1].split(separator: ":").compactMap { Double($0) }
            guard (1...3).contains(time.count) else { return nil }
            seconds = time[0] * 3600 + (time.count > 1 ? time[1] * 60 : 0) + (time.count > 2 ? time[2] : 0)
        }
        // Days from civil (Howard Hinnant's algorithm).
        let y = date[1] <= 2 ? date[0] - 1 : date[0]
        let era = (y >= 0 ? y : y - 399) / 400
        let yoe = y - era * 400
        let mp = (date[1] + 9) % 12
        let doy = (153 * mp + 2) / 5 + date[2] - 1
        let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy
        return Double(era * 146097 + doe - 719468) * 86400 + seconds
    }
}
