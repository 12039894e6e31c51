import CubeCore
import Foundation
import Yams

/// Builds the typed sections from the YAML tree, section by section.
struct RecipeBuilder {
    var reader: YAMLReader
    let directory: URL

    init(reader: YAMLReader, directory: URL) {
        self.reader = reader
        self.directory = directory
    }

    mutating func build(_ root: Node) -> RecipeParts? {
        guard let top = reader.mapping(root, key: "", allowed: ["version", "cube", "grid", "time", "sources", "output", "catalog", "ml"])
        else { return nil }
        let version = reader.required(top, "version", in: "", parent: root) { $0.integer($1, $2) }
        if let version, version != 1 {
            reader.error("version", "recipe format version \(version) is not supported (this CubeGen reads version 1)", top["version"])
        }
        let cube = reader.required(top, "cube", in: "", parent: root) { r, n, _ in Optional(n) }.flatMap { cubeSection($0) }
        let grid = reader.required(top, "grid", in: "", parent: root) { r, n, _ in Optional(n) }.flatMap { gridSection($0) }
        let time = top["time"].map { timeSection($0) } ?? TimeSection()
        let sources = reader.required(top, "sources", in: "", parent: root) { r, n, _ in Optional(n) }.flatMap { sourceSections($0) }
        let output = reader.required(top, "output", in: "", parent: root) { r, n, _ in Optional(n) }.flatMap { outputSection($0) }
        let catalog = top["catalog"].map { catalogSection($0) } ?? CatalogSection(path: nil)
        let ml = top["ml"].flatMap { SamplingParser.read($0, path: "ml", reader: &reader, directory: directory) }
        guard let version, let cube, let grid, let time, let sources, let output, let catalog else { return nil }
        return RecipeParts(version: version, cube: cube, grid: grid, time: time, sources: sources, output: output, catalog: catalog, ml: ml)
    }

    // MARK: - Sections

    mutating func cubeSection(_ node: Node) -> CubeSection? {
        guard let map = reader.mapping(node, key: "cube", allowed: ["id", "title", "summary", "license", "version", "keywords"])
        else { return nil }
        let id = reader.required(map, "id", in: "cube", parent: node) { $0.string($1, $2) }
        if let id, id.isEmpty || id.contains("/") || id.contains(" ") {
            reader.error("cube.id", "'\(id)' must be non-empty without spaces or '/'", map["id"])
        }
        let title = reader.optional(map, "title", in: "cube") { $0.string($1, $2) }
        let license = reader.optional(map, "license", in: "cube") { $0.string($1, $2) }
        if license == nil { reader.warning("cube.license", "no license given; the cube will say 'other'", node) }
        let cube = CubeSection(
            id: id ?? "", title: title ?? id ?? "", summary: reader.optional(map, "summary", in: "cube") { $0.string($1, $2) } ?? title ?? "",
            license: license ?? "other", version: reader.optional(map, "version", in: "cube") { $0.string($1, $2) } ?? "1.0.0",
            keywords: reader.optional(map, "keywords", in: "cube") { $0.strings($1, $2) } ?? [])
        return id == nil ? nil : cube
    }

    mutating func gridSection(_ node: Node) -> GridSection? {
        guard let map = reader.mapping(node, key: "grid", allowed: ["crs", "bbox", "resolution", "size", "snap", "y_axis", "max_error"])
        else { return nil }
        let crs = reader.required(map, "crs", in: "grid", parent: node) { $0.string($1, $2) }
        let bbox = reader.required(map, "bbox", in: "grid", parent: node) { $0.numbers($1, $2, count: 4) }
        if let bbox {
            // xmin > xmax is a geographic box across the antimeridian; the grid builder checks the CRS.
            if bbox[0] == bbox[2] { reader.error("grid.bbox", "xmin and xmax are both \(bbox[0]); the box has no width", map["bbox"]) }
            if bbox[1] >= bbox[3] { reader.error("grid.bbox", "ymin \(bbox[1]) must be less than ymax \(bbox[3])", map["bbox"]) }
        }
        var resolution: [Double]?
        if let node = map["resolution"], !reader.isNull(node) {
            if case .sequence = node {
                resolution = reader.numbers(node, "grid.resolution", count: 2)
            } else if let single = reader.number(node, "grid.resolution") {
                resolution = [single, single]
            }
            if let r = resolution, r.contains(where: { $0 <= 0 }) {
                reader.error("grid.resolution", "pixel sizes must be positive", node)
            }
        }
        var size: [Int]?
        if let node = map["size"], !reader.isNull(node), let items = reader.sequence(node, "grid.size") {
            let values = items.enumerated().compactMap { reader.integer($1, "grid.size[\($0)]") }
            if values.count != 2 || values.contains(where: { $0 <= 0 }) {
                reader.error("grid.size", "expected [width, height] as two positive whole numbers", node)
            } else {
                size = values
            }
        }
        if map["resolution"] != nil, map["size"] != nil {
            reader.error("grid.size", "give either 'resolution' or 'size', not both", map["size"])
        } else if map["resolution"] == nil, map["size"] == nil {
            reader.error("grid.resolution", "required key 'resolution' (or 'size') is missing", node)
        }
        let snap = reader.optional(map, "snap", in: "grid") { $0.choice($1, $2, SnapRule.allCases.map(\.rawValue)) }
        let yAxis = reader.optional(map, "y_axis", in: "grid") { $0.choice($1, $2, ["descending", "ascending"]) }
        guard let crs, let bbox, resolution != nil || size != nil else { return nil }
        var section = GridSection(crs: crs, bbox: bbox, resolution: resolution, size: size, snap: snap.flatMap(SnapRule.init) ?? .error,
                                  yAxis: yAxis.flatMap(YAxisDirection.init) ?? .descending)
        if let maxError = reader.optional(map, "max_error", in: "grid", { $0.number($1, $2) }) {
            if maxError < 0 { reader.error("grid.max_error", "must not be negative (0 transforms every pixel exactly)", map["max_error"]) }
            section.maxError = maxError
        }
        return section
    }

    mutating func timeSection(_ node: Node) -> TimeSection? {
        if reader.isNull(node) { return TimeSection() }
        guard let map = reader.mapping(node, key: "time", allowed: ["start", "end", "period", "period_anchor", "label", "calendar"])
        else { return nil }
        func date(_ r: inout YAMLReader, _ n: Node, _ path: String) -> CalendarDate? {
            guard let text = r.string(n, path) else { return nil }
            guard let date = CalendarDate(parsing: text) else {
                r.error(path, "'\(text)' is not a date (YYYY-MM-DD, optionally with a time)", n)
                return nil
            }
            return date
        }
        var section = TimeSection()
        section.start = reader.optional(map, "start", in: "time", date)
        section.end = reader.optional(map, "end", in: "time", date)
        if let s = section.start, let e = section.end, e < s {
            reader.error("time.end", "end \(e) is before start \(s)", map["end"])
        }
        section.period = reader.optional(map, "period", in: "time") { r, n, p in
            guard let text = r.string(n, p) else { return nil }
            guard text.range(of: #"^[1-9][0-9]*[DWMY]$"#, options: .regularExpression) != nil else {
                r.error(p, "'\(text)' is not a period (nD, nW, nM or nY, for example 8D or 1M)", n)
                return nil
            }
            return text
        }
        section.periodAnchor = reader.optional(map, "period_anchor", in: "time") { $0.choice($1, $2, ["start", "year"]) }
        section.label = reader.optional(map, "label", in: "time") { $0.choice($1, $2, ["start", "center", "end"]) }
        section.calendar = reader.optional(map, "calendar", in: "time") { r, n, p -> String? in
            guard let name = r.string(n, p) else { return nil }
            guard CFCalendar(cfName: name) != nil else {
                r.error(p, "'\(name)' is not a CF calendar (standard, gregorian, proleptic_gregorian, julian, noleap, 365_day, all_leap, 366_day, 360_day)", n)
                return nil
            }
            return name
        }
        return section
    }

    mutating func sourceSections(_ node: Node) -> [SourceSection]? {
        guard let items = reader.sequence(node, "sources") else { return nil }
        if items.isEmpty { reader.error("sources", "at least one source is required", node) }
        var sources: [SourceSection] = []
        var names: [String: Node] = [:]
        var cubeNames: [String: String] = [:]
        for (index, item) in items.enumerated() {
            let path = "sources[\(index)]"
            guard let map = reader.mapping(item, key: path, allowed: ["name", "store", "paths", "variables", "storage_options", "bands", "time_from_name", "times", "mosaic", "allow_mixed_crs", "crs", "geotransform", "broadcast_time", "levels", "level_units", "members"] + Self.stacKeys) else { continue }
            let name = reader.required(map, "name", in: path, parent: item) { $0.string($1, $2) }
            if let name, let previous = names[name] {
                reader.error("\(path).name", "source name '\(name)' is already used at \(reader.location(previous).map(\.description) ?? "an earlier source")", map["name"])
            }
            if let name { names[name] = map["name"] }
            let store = reader.required(map, "store", in: path, parent: item) { $0.string($1, $2) }
            let paths = store == "stac" && map["paths"] == nil ? []
                : reader.required(map, "paths", in: path, parent: item) { $0.strings($1, $2) }?.map(resolve)
            var variables: [VariableSection] = []
            if let variablesNode = reader.required(map, "variables", in: path, parent: item, { r, n, _ in Optional(n) }),
                let variableMap = reader.mapping(variablesNode, key: "\(path).variables", allowed: []) {
                if variableMap.isEmpty { reader.error("\(path).variables", "at least one variable is required", variablesNode) }
                for (keyNode, value) in orderedPairs(variablesNode) {
                    guard let sourceName = keyNode.scalar?.string, let v = variableSection(sourceName, value, "\(path).variables.\(sourceName)")
                    else { continue }
                    if let other = cubeNames[v.name] {
                        reader.error("\(v.keyPath).name", "cube variable '\(v.name)' is already produced by \(other)", value)
                    }
                    cubeNames[v.name] = v.keyPath
                    variables.append(v)
                }
            }
            // A source's `levels` and `level_units` apply to its variables that give none of their own.
            let sourceLevels = levels(map, path, unitsAlone: true)
            let sourceMembers = members(map, path)
            for index in variables.indices {
                if variables[index].members == nil, variables[index].select?["number"] == nil { variables[index].members = sourceMembers }
                if variables[index].levels == nil { variables[index].levels = sourceLevels.levels }
                if variables[index].levelUnits == nil { variables[index].levelUnits = sourceLevels.units }
            }
            let options = map["storage_options"].flatMap { storageOptions($0, "\(path).storage_options") } ?? StorageOptionsSection()
            if let name, let store, let paths {
                var section = SourceSection(name: name, store: store, paths: paths, variables: variables, keyPath: path)
                section.storageOptions = options
                rasterKeys(map, path, into: &section)
                stacKeys(map, path, node: item, into: &section)
                sources.append(section)
            }
        }
        return sources
    }

    /// The keys for rasters without a time axis or with numbered bands: `bands`, `time_from_name`,
    /// `times`, `mosaic`, `allow_mixed_crs`, and the georeferencing a recipe gives (`crs`, `geotransform`).
    mutating func rasterKeys(_ map: [String: Node], _ path: String, into section: inout SourceSection) {
        if let node = map["bands"], reader.mapping(node, key: "\(path).bands", allowed: []) != nil {
            var seen: [String: Int] = [:]
            for (keyNode, value) in orderedPairs(node) {
                let key = keyNode.scalar?.string ?? ""
                guard let number = Int(key), number >= 1 else {
                    reader.error("\(path).bands.\(key)", "'\(key)' is not a band number (1, 2, …)", keyNode)
                    continue
                }
                guard let name = reader.string(value, "\(path).bands.\(key)") else { continue }
                if let other = seen[name] {
                    reader.error("\(path).bands.\(key)", "bands \(other) and \(number) are both named '\(name)'", value)
                }
                seen[name] = number
                section.bands[number] = name
            }
        }
        if let node = map["time_from_name"], let text = reader.string(node, "\(path).time_from_name") {
            do {
                section.timeFromName = try FileNameDate(text)
            } catch let error as CubeError {
                reader.error("\(path).time_from_name", error.message, node)
            } catch {}
        }
        if let node = map["times"], let items = reader.sequence(node, "\(path).times") {
            if items.isEmpty { reader.error("\(path).times", "give at least one date (one per file, in path order)", node) }
            for (index, item) in items.enumerated() {
                guard let text = reader.string(item, "\(path).times[\(index)]") else { continue }
                if let date = CalendarDate(parsing: text) {
                    section.times.append(date)
                } else {
                    reader.error("\(path).times[\(index)]", "'\(text)' is not a date (YYYY-MM-DD, optionally with a time)", item)
                }
            }
            if section.timeFromName != nil {
                reader.error("\(path).times", "give either time_from_name or times, not both", node)
            }
        }
        if let rule = reader.optional(map, "mosaic", in: path, { $0.choice($1, $2, MosaicRule.allCases.map(\.rawValue)) }) {
            section.mosaic = MosaicRule(rawValue: rule) ?? .first
        }
        section.allowMixedCRS = reader.optional(map, "allow_mixed_crs", in: path) { $0.boolean($1, $2) } ?? false
        section.crs = reader.optional(map, "crs", in: path) { $0.string($1, $2) }
        section.broadcastTime = reader.optional(map, "broadcast_time", in: path) { $0.boolean($1, $2) } ?? false
        if section.broadcastTime, let node = map["time_from_name"] ?? map["times"] {
            reader.error("\(path).broadcast_time", "a static source (broadcast_time: true) has no dates; drop time_from_name and times", node)
        }
        if let node = map["geotransform"], let g = reader.numbers(node, "\(path).geotransform", count: 6) {
            if g[2] != 0 || g[4] != 0 {
                reader.error("\(path).geotransform", "rotated geotransforms are not supported (terms 3 and 5 must be 0): warp the raster north-up first", node)
            } else if g[1] == 0 || g[5] == 0 {
                reader.error("\(path).geotransform", "the pixel size (terms 2 and 6) must not be 0", node)
            } else {
                section.geotransform = g
            }
        }
    }

    private func orderedPairs(_ node: Node) -> [(Node, Node)] {
        guard case let .mapping(mapping) = node else { return [] }
        return mapping.map { ($0.key, $0.value) }
    }

    mutating func variableSection(_ sourceName: String, _ node: Node, _ path: String) -> VariableSection? {
        if reader.isNull(node) {
            return VariableSection(sourceName: sourceName, name: sourceName, resampling: nil, aggregation: nil, dataType: .float32,
                                   keyPath: path)
        }
        guard let map = reader.mapping(node, key: path, allowed: ["name", "resampling", "aggregation", "min_count", "upsampling",
                                                                   "dtype", "scale_factor", "add_offset", "fill_value", "pyramid_method", "asset", "select",
                                                                   "levels", "level_units", "members"])
        else { return nil }
        let name = reader.optional(map, "name", in: path) { $0.string($1, $2) } ?? sourceName
        // `resampling: NAME`, or `resampling: {up: NAME, down: NAME}` by direction.
        var resampling: String?, byDirection: (up: String?, down: String?)?
        if let node = map["resampling"] {
            if case .mapping = node {
                let key = "\(path).resampling"
                if let directions = reader.mapping(node, key: key, allowed: ["up", "down"]) {
                    byDirection = (reader.optional(directions, "up", in: key) { $0.choice($1, $2, RecipeParser.Vocabulary.resampling) },
                                   reader.optional(directions, "down", in: key) { $0.choice($1, $2, RecipeParser.Vocabulary.resampling) })
                }
            } else {
                resampling = reader.choice(node, "\(path).resampling", RecipeParser.Vocabulary.resampling)
            }
        }
        let aggregation = reader.optional(map, "aggregation", in: path) { $0.choice($1, $2, RecipeParser.Vocabulary.aggregation) }
        let dtype = reader.optional(map, "dtype", in: path) { $0.choice($1, $2, RecipeParser.Vocabulary.dataTypes) }
        var section = VariableSection(sourceName: sourceName, name: name, resampling: resampling, aggregation: aggregation,
                                      dataType: dtype.flatMap(DataType.init) ?? .float32, keyPath: path)
        section.dataTypeGiven = dtype != nil
        section.resamplingUp = byDirection?.up
        section.resamplingDown = byDirection?.down
        section.scaleFactor = reader.optional(map, "scale_factor", in: path) { $0.number($1, $2) }
        section.addOffset = reader.optional(map, "add_offset", in: path) { $0.number($1, $2) }
        section.fillValue = reader.optional(map, "fill_value", in: path) { $0.number($1, $2) }
        section.minCount = reader.optional(map, "min_count", in: path) { $0.integer($1, $2) }
        section.pyramidMethod = reader.optional(map, "pyramid_method", in: path) { $0.choice($1, $2, RecipeParser.Vocabulary.pyramidMethods) }
        section.asset = reader.optional(map, "asset", in: path) { $0.string($1, $2) }
        section.upsampling = reader.optional(map, "upsampling", in: path) { $0.choice($1, $2, ["nearest", "linear", "previous"]) }
        if let node = map["select"] {
            section.select = selection(node, "\(path).select")
        }
        (section.levels, section.levelUnits) = levels(map, path)
        section.members = members(map, path)
        if section.members != nil, section.select?["number"] != nil {
            reader.error("\(path).select.number", "give either select.number or members, not both", map["select"])
        }
        if let minCount = section.minCount, minCount < 1 { reader.error("\(path).min_count", "must be at least 1", map["min_count"]) }
        if section.scaleFactor == 0 { reader.error("\(path).scale_factor", "must not be 0", map["scale_factor"]) }
        if !section.dataType.isFloatingPoint {
            if section.fillValue == nil {
                reader.error("\(path).fill_value", "an integer dtype (\(section.dataType)) needs a fill_value for missing data", node)
            } else if let fill = section.fillValue, fill != fill.rounded() {
                reader.error("\(path).fill_value", "\(fill) is not a whole number, as dtype \(section.dataType) needs", map["fill_value"])
            }
        } else if section.scaleFactor != nil || section.addOffset != nil {
            reader.warning("\(path).scale_factor", "packing attributes with a floating-point dtype only label the values", node)
        }
        return section
    }

    mutating func outputSection(_ node: Node) -> OutputSection? {
        guard let map = reader.mapping(node, key: "output", allowed: ["path", "format", "chunks", "shards", "checksum", "compressor", "overwrite", "attrs", "gdal_crs", "storage_options", "pyramid", "timeseries"])
        else { return nil }
        let path = reader.required(map, "path", in: "output", parent: node) { $0.string($1, $2) }
        let format = reader.optional(map, "format", in: "output") { $0.choice($1, $2, ["zarr2", "zarr3"]) } ?? "zarr2"
        let chunks = dimensionSizes(map, "chunks", what: "chunk")
        let shards = dimensionSizes(map, "shards", what: "shard")
        let checksum = reader.optional(map, "checksum", in: "output") { $0.choice($1, $2, ["none", "crc32c"]) } ?? "none"
        for (name, shard) in shards.sorted(by: { $0.key < $1.key }) {
            if let chunk = chunks[name], shard % chunk != 0 {
                reader.error("output.shards.\(name)", "\(shard) is not a multiple of the chunk size \(chunk) (output.chunks.\(name))", map["shards"])
            }
        }
        if format != "zarr3" {
            for key in ["shards", "checksum"] where map[key] != nil && !(key == "checksum" && checksum == "none") {
                reader.error("output.\(key)", "'\(key)' needs output.format: zarr3 (Zarr v2 has no \(key == "shards" ? "sharding" : "crc32c codec"))", map[key])
            }
        }
        let compressor = map["compressor"].flatMap { compressorSection($0) }
            ?? CompressorSection(id: "blosc", cname: "zstd", clevel: 5, shuffle: 1, blocksize: 0, level: nil)
        let overwrite = reader.optional(map, "overwrite", in: "output") { $0.boolean($1, $2) } ?? false
        let gdalCRS = reader.optional(map, "gdal_crs", in: "output") { $0.boolean($1, $2) } ?? false
        var attributes: [Attribute] = []
        if let attrsNode = map["attrs"], reader.mapping(attrsNode, key: "output.attrs", allowed: []) != nil {
            for (keyNode, value) in orderedPairs(attrsNode) {
                guard let key = keyNode.scalar?.string else { continue }
                if let attribute = attributeValue(value, "output.attrs.\(key)") { attributes.append(Attribute(key, attribute)) }
            }
        }
        guard let path else { return nil }
        let resolved = path.hasPrefix("s3://") ? path : resolve(path)
        var section = OutputSection(path: resolved, format: format, chunks: chunks, compressor: compressor, overwrite: overwrite,
                                    attributes: attributes, gdalCRS: gdalCRS)
        section.shards = shards
        section.checksum = checksum
        section.storageOptions = map["storage_options"].flatMap { storageOptions($0, "output.storage_options") } ?? StorageOptionsSection()
        section.pyramid = map["pyramid"].flatMap { pyramidSection($0) }
        if let node = map["timeseries"], let series = reader.mapping(node, key: "output.timeseries", allowed: ["chunks"]) {
            guard series["chunks"] != nil else {
                reader.error("output.timeseries.chunks", "missing: give the time-series chunks, e.g. {time: 512, y: 32, x: 32}", node)
                return section
            }
            section.timeSeriesChunks = dimensionSizes(series, "chunks", what: "chunk", in: "output.timeseries")
        }
        return section
    }

    /// `output.pyramid: {levels: auto | N, tile: N}` (`pyramid: true` takes the defaults).
    private mutating func pyramidSection(_ node: Node) -> PyramidSection? {
        if case .scalar = node, let on = reader.boolean(node, "output.pyramid") { return on ? PyramidSection() : nil }
        guard let map = reader.mapping(node, key: "output.pyramid", allowed: ["levels", "tile"]) else { return nil }
        var section = PyramidSection()
        if let levels = map["levels"], levels.scalar?.string != "auto" {
            if let n = reader.integer(levels, "output.pyramid.levels") {
                if n < 1 { reader.error("output.pyramid.levels", "\(n) is not a level count: give auto or at least 1", levels) } else { section.levels = n }
            }
        }
        if let tile = map["tile"], let n = reader.integer(tile, "output.pyramid.tile") {
            if n < 16 || n > 4096 { reader.error("output.pyramid.tile", "\(n) is not a tile size: give 16 to 4096 pixels", tile) } else { section.tile = n }
        }
        return section
    }

    /// `output.chunks` or `output.shards`: a size of at least 1 per dimension name.
    private mutating func dimensionSizes(_ map: [String: Node], _ key: String, what: String, in section: String = "output") -> [String: Int] {
        var sizes: [String: Int] = [:]
        guard let node = map[key], let sizeMap = reader.mapping(node, key: "\(section).\(key)", allowed: ["time", "y", "x", "lat", "lon", "member"] + RecipeBuilder.verticalNames) else {
            return sizes
        }
        for (name, value) in sizeMap {
            if let n = reader.integer(value, "\(section).\(key).\(name)") {
                if n < 1 { reader.error("\(section).\(key).\(name)", "\(what) sizes must be at least 1", value) } else { sizes[name] = n }
            }
        }
        return sizes
    }

    mutating func attributeValue(_ node: Node, _ path: String) -> AttributeValue? {
        switch node {
        case let .scalar(scalar):
            if scalar.style == .plain, let i = node.int { return .integers([Int64(i)]) }
            if scalar.style == .plain, let d = node.float { return .reals([d]) }
            return .text(scalar.string)
        case let .sequence(items):
            if items.allSatisfy({ $0.int != nil && $0.scalar?.style == .plain }) { return .integers(items.map { Int64($0.int!) }) }
            if items.allSatisfy({ ($0.float ?? $0.int.map(Double.init)) != nil && $0.scalar?.style == .plain }) {
                return .reals(items.map { $0.float ?? Double($0.int!) })
            }
            reader.error(path, "attribute lists must hold numbers only", node)
            return nil
        default:
            reader.error(path, "attributes must be text, a number or a list of numbers (NetCDF-compatible)", node)
            return nil
        }
    }

    mutating func compressorSection(_ node: Node) -> CompressorSection? {
        guard let map = reader.mapping(node, key: "output.compressor", allowed: ["id", "cname", "clevel", "shuffle", "blocksize", "level"])
        else { return nil }
        guard let id = reader.required(map, "id", in: "output.compressor", parent: node, { $0.choice($1, $2, RecipeParser.Vocabulary.compressors) })
        else { return nil }
        var section = CompressorSection(id: id)
        let path = "output.compressor"
        let bloscOnly = ["cname", "clevel", "shuffle", "blocksize"]
        for key in bloscOnly where id != "blosc" && map[key] != nil {
            reader.error("\(path).\(key)", "'\(key)' applies to blosc only, not \(id)", map[key])
        }
        if id == "blosc" || id == "none", map["level"] != nil {
            reader.error("\(path).level", "'level' applies to zstd, zlib and gzip; blosc uses 'clevel'", map["level"])
        }
        if id == "blosc" {
            section.cname = reader.optional(map, "cname", in: path) { $0.choice($1, $2, RecipeParser.Vocabulary.bloscNames) } ?? "lz4"
            section.clevel = reader.optional(map, "clevel", in: path) { $0.integer($1, $2) } ?? 5
            if let level = section.clevel, !(0...9).contains(level) { reader.error("\(path).clevel", "\(level) is not in 0…9", map["clevel"]) }
            section.shuffle = reader.optional(map, "shuffle", in: path) { r, n, p -> Int? in
                if let i = n.int, (0...2).contains(i) { return i }
                return r.choice(n, p, RecipeParser.Vocabulary.shuffles.keys.sorted()).flatMap { RecipeParser.Vocabulary.shuffles[$0] }
            } ?? 1
            section.blocksize = reader.optional(map, "blocksize", in: path) { $0.integer($1, $2) } ?? 0
        } else if id != "none" {
            let range = id == "zstd" ? -131_072...22 : 0...9
            section.level = reader.optional(map, "level", in: path) { $0.integer($1, $2) } ?? (id == "zstd" ? 3 : 1)
            if let level = section.level, !range.contains(level) {
                reader.error("\(path).level", "\(level) is not in \(range.lowerBound)…\(range.upperBound) for \(id)", map["level"])
            }
        }
        return section
    }

    /// Keys that hold secrets in fsspec/s3fs `storage_options`; a recipe never holds one.
    static let secretKeys: Set<String> = ["key", "secret", "token", "aws_access_key_id", "aws_secret_access_key",
                                          "aws_session_token", "access_key", "secret_key", "password", "session_token"]

    mutating func storageOptions(_ node: Node, _ path: String) -> StorageOptionsSection? {
        let known = ["endpoint_url", "region", "profile", "anon"]
        if case let .mapping(mapping) = node {
            for (keyNode, _) in mapping {
                guard let key = keyNode.scalar?.string, RecipeBuilder.secretKeys.contains(key) else { continue }
                reader.error("\(path).\(key)",
                    "a recipe never holds a secret: set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY (and AWS_SESSION_TOKEN) in the environment, or name a profile of ~/.aws/credentials with storage_options.profile",
                    keyNode)
                return nil
            }
        }
        guard let map = reader.mapping(node, key: path, allowed: known) else { return nil }
        let endpoint = reader.optional(map, "endpoint_url", in: path) { $0.string($1, $2) }
        if let endpoint, !(endpoint.hasPrefix("http://") || endpoint.hasPrefix("https://")) || endpoint.contains("@") {
            reader.error("\(path).endpoint_url", "'\(endpoint)' is not an http:// or https:// URL without credentials", map["endpoint_url"])
        }
        return StorageOptionsSection(endpointURL: endpoint,
                                     region: reader.optional(map, "region", in: path) { $0.string($1, $2) },
                                     profile: reader.optional(map, "profile", in: path) { $0.string($1, $2) },
                                     anonymous: reader.optional(map, "anon", in: path) { $0.boolean($1, $2) } ?? false)
    }

    mutating func catalogSection(_ node: Node) -> CatalogSection? {
        if reader.isNull(node) { return CatalogSection(path: nil) }
        guard let map = reader.mapping(node, key: "catalog", allowed: ["path", "fingerprints", "quicklooks"]) else { return nil }
        return CatalogSection(path: reader.optional(map, "path", in: "catalog") { $0.string($1, $2) }.map(resolve),
                              fingerprints: reader.optional(map, "fingerprints", in: "catalog") { $0.boolean($1, $2) } ?? true,
                              quicklooks: reader.optional(map, "quicklooks", in: "catalog") { $0.boolean($1, $2) } ?? true)
    }

    /// Reads `levels: [L, …]` (at least one number, no repeats) and `level_units` (one of
    /// `VariableSection.levelUnitNames`) of a source or variable mapping.
    /// A source's `level_units` alone is allowed (a default for its variables' `levels`).
    mutating func levels(_ map: [String: Node], _ path: String, unitsAlone: Bool = false) -> (levels: [Double]?, units: String?) {
        let units = reader.optional(map, "level_units", in: path) { $0.choice($1, $2, VariableSection.levelUnitNames) }
        guard let node = map["levels"] else {
            if !unitsAlone, let unitsNode = map["level_units"] { reader.error("\(path).level_units", "has no effect without levels", unitsNode) }
            return (nil, units)
        }
        guard let items = reader.sequence(node, "\(path).levels") else { return (nil, units) }
        var values: [Double] = []
        for (index, item) in items.enumerated() {
            guard let value = reader.number(item, "\(path).levels[\(index)]") else { continue }
            if values.contains(value) {
                reader.error("\(path).levels[\(index)]", "level \(VerticalCoordinate.format(value)) is listed twice", item)
            }
            values.append(value)
        }
        if items.isEmpty { reader.error("\(path).levels", "give at least one level (for example [1000, 850, 500])", node) }
        return (values.isEmpty ? nil : values, units)
    }

    /// Reads `members: [0, 1, …]`: ensemble member numbers (whole, ≥ 0, each once), or `nil`.
    mutating func members(_ map: [String: Node], _ path: String) -> [Int]? {
        guard let node = map["members"], let items = reader.sequence(node, "\(path).members") else { return nil }
        var values: [Int] = []
        for (index, item) in items.enumerated() {
            guard let value = reader.integer(item, "\(path).members[\(index)]") else { continue }
            if value < 0 {
                reader.error("\(path).members[\(index)]", "\(value) is not an ensemble member number (0, 1, …)", item)
            } else if values.contains(value) {
                reader.error("\(path).members[\(index)]", "member \(value) is listed twice", item)
            }
            values.append(value)
        }
        if items.isEmpty { reader.error("\(path).members", "give at least one member (for example [0, 1, 2])", node) }
        return values.isEmpty ? nil : values
    }

    /// Reads `select: {KEY: VALUE, …}`: at least one key of `VariableSection.selectionKeys`, each
    /// value plain text or a whole number (those of `VariableSection.wholeNumberSelectionKeys` must be).
    mutating func selection(_ node: Node, _ path: String) -> [String: String]? {
        guard let map = reader.mapping(node, key: path, allowed: VariableSection.selectionKeys) else { return nil }
        guard !map.isEmpty else {
            reader.error(path, "select needs at least one key (\(VariableSection.selectionKeys.joined(separator: ", ")))", node)
            return nil
        }
        var result: [String: String] = [:]
        for (key, value) in map {
            if VariableSection.wholeNumberSelectionKeys.contains(key) {
                if let whole = reader.integer(value, "\(path).\(key)") { result[key] = String(whole) }
            } else if let text = reader.string(value, "\(path).\(key)") {
                result[key] = text
            }
        }
        return result.count == map.count ? result : nil
    }

    /// The names a vertical dimension may have in `output.chunks` (DESIGN.md §15).
    static let verticalNames = ["plev", "lev", "height", "depth"]

    /// Resolves a path against the recipe's folder (URLs and absolute paths stay as they are).
    func resolve(_ path: String) -> String {
        if path.hasPrefix("/") || path.contains("://") { return path }
        return directory.appendingPathComponent(path).standardizedFileURL.path
    }
}

extension VariableSection {
    init(sourceName: String, name: String, resampling: String?, aggregation: String?, dataType: DataType, keyPath: String) {
        self.init(sourceName: sourceName, name: name, resampling: resampling, aggregation: aggregation, minCount: nil,
                  upsampling: nil, dataType: dataType, scaleFactor: nil, addOffset: nil, fillValue: nil, keyPath: keyPath)
    }
}

extension CompressorSection {
    init(id: String) { self.init(id: id, cname: nil, clevel: nil, shuffle: nil, blocksize: nil, level: nil) }
}
