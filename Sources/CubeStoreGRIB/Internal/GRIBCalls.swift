internal import CEccodes
import CubeCore
import Foundation
import Synchronization

/// The only place that calls ecCodes: every call under one lock (handles are not shared between
/// threads and the library's context is global), errors turned into `CubeError`s naming the file.
enum GRIBCalls {
    private static let lock = Mutex(())

    /// Puts CubeGen's definitions (`GRIBDefinitions`) before the library's, once, before any
    /// message is opened. Called under the lock.
    private static let definitionsInstalled: Bool = {
        guard let ours = GRIBDefinitions.folder, let context = codes_context_get_default() else { return false }
        let system = codes_definition_path(context).map { String(cString: $0) } ?? "/usr/share/eccodes/definitions"
        codes_context_set_definitions_path(context, ours + ":" + system)
        // ecCodes prints its errors to stderr itself; CubeGen reports one line per failure, so the
        // library's messages are kept (the last one joins the error that follows) instead.
        codes_context_set_logging_proc(context) { _, _, message in
            if let message { GRIBCalls.lastLibraryMessage = String(cString: message) }
        }
        return true
    }()

    /// The most values one message may hold (2^27, five times the 26 million points of the largest
    /// DestinE grid, O2560): a damaged count must not make ecCodes or CubeGen allocate gigabytes.
    static let maximumValues = 1 << 27

    /// The last message ecCodes logged; read and written under `lock` only.
    nonisolated(unsafe) private static var lastLibraryMessage: String?

    /// ` (ecCodes: …)` with the last message the library logged since the previous call, or "".
    private static func libraryDetail() -> String {
        defer { lastLibraryMessage = nil }
        guard let message = lastLibraryMessage?.trimmingCharacters(in: .whitespacesAndNewlines), !message.isEmpty else { return "" }
        return "; ecCodes: \(message)"
    }

    /// ecCodes' version (`2.28.0`).
    static var version: String {
        let v = codes_get_api_version()
        return "\(v / 10000).\(v / 100 % 100).\(v % 100)"
    }

    /// Every message of the file at `path`: its byte range and the keys `GRIBMessage` needs. The
    /// messages are framed by CubeGen (`GRIBFraming`) and handed to ecCodes from memory, whole.
    /// - Throws: `CubeError` naming the file (and the offset of a message that does not decode).
    static func index(_ path: String, memo: FileVersionMemo = GRIBIndexMemo.memo) throws -> [GRIBMessage] {
        // Planning describes a file and the run opens it again: one index per version of the file
        // (path, inode, size, modification and change times). A file changed in the last two
        // seconds is indexed every time: file times are as coarse as the kernel's tick, and a file
        // rewritten in place within one (as the fuzz target does) must not look unchanged.
        let identity = FileVersionMemo.identify(path)
        let key = identity.flatMap { FileVersionMemo.unchanged($0, for: 2) }
        if let key, let known = indexes.withLock({ $0[key] }) { return known }
        // Indexed by an earlier run (same file version, same CubeGen build).
        let version = identity.flatMap(memo.settled)
        let messages: [GRIBMessage]
        if let version, let remembered = GRIBIndexMemo.messages(for: version, in: memo) {
            messages = remembered
        } else {
            messages = try indexAnew(path)
            if let version { GRIBIndexMemo.remember(messages, for: version, path: path, in: memo) }
        }
        if let key {
            indexes.withLock { cache in
                if cache.count >= 4096 { cache.removeAll() }
                cache[key] = messages
            }
        }
        return messages
    }

    /// The indexes made so far, by path, size and modification time.
    private static let indexes = Mutex<[FileVersionMemo.Version: [GRIBMessage]]>([:])

    /// `index(_:)` without the cache.
    private static func indexAnew(_ path: String) throws -> [GRIBMessage] {
        let frames = try GRIBFraming.frames(path: path)
        if frames.isEmpty {
            throw CubeError(.invalidInput, "'\(path)' holds no GRIB message (not a GRIB file)", context: ["file": path])
        }
        var messages: [GRIBMessage] = []
        for frame in frames {
            // The message is mapped, not read: ecCodes parses its headers in place, so the data
            // section's pages are never touched. A DestinE local section is CubeGen's to decode:
            // ecCodes 2.28 gets a copy of the message without it.
            try GRIBMappedMessage.with(path, offset: frame.offset, length: frame.length, populate: false) { mapped in
                let destine = GRIBDestinE.mayHaveLocalSection(mapped)
                    ? try GRIBDestinE.split(Array(mapped), path: path, offset: frame.offset) : nil
                let parse = { (raw: UnsafeRawBufferPointer) throws in try lock.withLock { _ in
                    _ = definitionsInstalled
                    lastLibraryMessage = nil
                    let handle: OpaquePointer? = codes_handle_new_from_message(nil, raw.baseAddress, raw.count)
                    guard let handle else {
                        throw CubeError(.invalidInput, "'\(path)': the GRIB message at byte \(frame.offset) does not decode\(libraryDetail())",
                                        context: ["file": path])
                    }
                    defer { codes_handle_delete(handle) }
                    var indexed = try message(handle, path: path, index: messages.count, offset: frame.offset, destine: destine?.labels)
                    indexed.offset = frame.offset
                    indexed.length = frame.length
                    messages.append(indexed)
                } }
                if let destine { try destine.forLibrary.withUnsafeBytes(parse) } else { try parse(mapped) }
            }
        }
        return messages
    }

    /// ecCodes 2.28 decodes as many values and bitmap bits as sections 3 and 5 state, from
    /// sections 6 and 7 as long as they are: a damaged count reads past the message (found by
    /// fuzzing, `Fuzz/crashes/grib`). The counts must fit CubeGen's limit and the sections must
    /// hold what they announce (GRIB 2: the bitmap one bit per point, simple packing `values ×
    /// bitsPerValue` bits).
    private static func checkSections(_ m: GRIBMessage, offset: Int, long: (String) -> Int?, path: String) throws {
        func refuse(_ what: String) -> CubeError {
            CubeError(.invalidInput, "'\(path)': the GRIB message at byte \(offset) \(what) (damaged?)", context: ["file": path])
        }
        guard m.numberOfDataPoints >= 1, m.numberOfDataPoints <= maximumValues,
              m.numberOfValues >= 0, m.numberOfValues <= m.numberOfDataPoints else {
            throw refuse("states \(m.numberOfDataPoints) grid points and \(m.numberOfValues) values")
        }
        guard m.edition == 2 else { return }
        if m.bitmapPresent, let section6 = long("section6Length"), section6 < 6 + (m.numberOfDataPoints + 7) / 8 {
            throw refuse("has a bitmap of \(section6 - 6) bytes for \(m.numberOfDataPoints) grid points")
        }
        if long("dataRepresentationTemplateNumber") == 0, let bits = long("bitsPerValue"), let section7 = long("section7Length") {
            guard bits >= 0, bits <= 64, section7 >= 5 + (m.numberOfValues * bits + 7) / 8 else {
                throw refuse("packs \(m.numberOfValues) values of \(bits) bits into \(section7 - 5) bytes")
            }
        }
    }

    private static func message(_ h: OpaquePointer, path: String, index: Int, offset: Int, destine: DestinELabels?) throws -> GRIBMessage {
        func long(_ key: String) -> Int? {
            var v = 0
            return codes_get_long(h, key, &v) == 0 ? v : nil
        }
        func double(_ key: String) -> Double? {
            var v = 0.0
            return codes_get_double(h, key, &v) == 0 ? v : nil
        }
        func string(_ key: String) -> String? {
            var buffer = [CChar](repeating: 0, count: 256)
            var length = buffer.count
            guard codes_get_string(h, key, &buffer, &length) == 0 else { return nil }
            return String(cString: buffer)
        }
        func doubles(_ key: String) -> [Double]? {
            var count = 0
            guard codes_get_size(h, key, &count) == 0, count > 0, count <= maximumValues else { return nil }
            var values = [Double](repeating: 0, count: count)
            guard codes_get_double_array(h, key, &values, &count) == 0 else { return nil }
            return Array(values.prefix(count))
        }
        func longs(_ key: String) -> [Int]? {
            var count = 0
            guard codes_get_size(h, key, &count) == 0, count > 0, count <= maximumValues else { return nil }
            var values = [Int](repeating: 0, count: count)
            guard codes_get_long_array(h, key, &values, &count) == 0 else { return nil }
            return Array(values.prefix(count))
        }
        var size = 0
        codes_get_message_size(h, &size)
        let template = long("gridDefinitionTemplateNumber")
        // ecCodes 2.28's gridType concept does not know template 3.150; CubeGen's definitions decode it.
        let gridType = template == 150 ? "healpix" : string("gridType") ?? "unknown"
        var latitudes: [Double]?
        if gridType == "regular_gg" { latitudes = doubles("distinctLatitudes") }
        // ecCodes 2.28 loops forever computing the validity date of a step whose time unit code
        // is past its table (GRIB 2 code table 4.4, GRIB 1 table 4: 16 and above, 255 "missing"
        // included; found by fuzzing): such a message is refused before the date is asked for.
        for key in ["indicatorOfUnitOfTimeRange", "unitOfTimeRange", "indicatorOfUnitForTimeRange"] {
            if let unit = long(key), !(0...15).contains(unit) {
                throw CubeError(.invalidInput, "'\(path)': GRIB message \(index + 1) at byte \(offset) has time unit code \(unit) (\(key)), past the codes ecCodes 2.28 computes a validity time with (0–15)",
                                context: ["file": path, "key": key])
            }
        }
        var message = GRIBMessage(
            index: index, offset: long("offset") ?? 0, length: size, edition: long("edition") ?? 0,
            shortName: string("shortName") ?? "unknown", paramId: long("paramId") ?? 0, name: string("name") ?? "",
            units: string("units") ?? "", cfName: string("cfName").flatMap { $0 == "unknown" ? nil : $0 },
            typeOfLevel: string("typeOfLevel") ?? "unknown", level: long("level") ?? 0,
            // A DestinE climate-DT field has no ensemble number (section 4 template 4.0): its realization is its member.
            number: long("number") ?? destine?.realization ?? 0,
            validityDate: long("validityDate") ?? 0, validityTime: long("validityTime") ?? 0,
            gridType: gridType, ni: long("Ni") ?? 0, nj: long("Nj") ?? 0,
            firstLatitude: double("latitudeOfFirstGridPointInDegrees") ?? 0, firstLongitude: double("longitudeOfFirstGridPointInDegrees") ?? 0,
            lastLatitude: double("latitudeOfLastGridPointInDegrees") ?? 0, lastLongitude: double("longitudeOfLastGridPointInDegrees") ?? 0,
            iIncrement: double("iDirectionIncrementInDegrees"), jIncrement: double("jDirectionIncrementInDegrees"),
            iScansNegatively: long("iScansNegatively") == 1, jScansPositively: long("jScansPositively") == 1,
            jPointsAreConsecutive: long("jPointsAreConsecutive") == 1, gaussianLatitudes: latitudes,
            numberOfValues: long("numberOfValues") ?? 0, bitmapPresent: long("bitmapPresent") == 1,
            nside: template == 150 ? long("Nside") : nil, nested: template == 150 ? long("ordering") == 1 : nil)
        message.destine = destine
        if ["lambert", "polar_stereographic"].contains(gridType) {
            message.ni = long("Nx") ?? message.ni
            message.nj = long("Ny") ?? message.nj
            message.projection = projection(gridType, long: long, double: double)
        }
        if gridType == "reduced_gg" {
            message.pointsPerRow = longs("pl")
            message.gaussianN = long("N")
        }
        message.numberOfDataPoints = long("numberOfDataPoints") ?? 0
        try checkSections(message, offset: offset, long: long, path: path)
        return message
    }

    /// The PROJ strings of a Lambert conformal or polar stereographic grid, from the grid
    /// section's keys (ecCodes 2.28's own `projTargetString` overflows a buffer for Lambert and
    /// gives EPSG:4326 as the source whatever the earth): the projection's parameters (GRIB 2
    /// templates 3.30 and 3.20, GRIB 1 grid types 3 and 5) on the earth the message states
    /// (`shapeOfTheEarth`: a sphere of `radius`, or GRS80, WGS 84, Airy, IAU 1965, or the axes given).
    private static func projection(_ gridType: String, long: (String) -> Int?, double: (String) -> Double?) -> GRIBProjection? {
        guard let dx = double("DxInMetres"), let dy = double("DyInMetres") else { return nil }
        func number(_ v: Double) -> String { String(format: "%.9g", v) }
        var earth: String
        if long("earthIsOblate") == 1 {
            func axis(_ name: String) -> Double? {
                guard let value = long("scaledValueOf\(name)"), let scale = long("scaleFactorOf\(name)") else { return nil }
                return Double(value) / pow(10, Double(scale)) * (long("shapeOfTheEarth") == 3 ? 1000 : 1)
            }
            switch long("shapeOfTheEarth") {
            case 4: earth = "+ellps=GRS80"
            case 5: earth = "+ellps=WGS84"
            case 9: earth = "+ellps=airy"
            case 3, 7:
                guard let a = axis("EarthMajorAxis"), let b = axis("EarthMinorAxis"), a > 0, b > 0 else { return nil }
                earth = "+a=\(number(a)) +b=\(number(b))"
            default: earth = "+a=6378160 +rf=297"  // IAU 1965 (GRIB 2 shape 2, GRIB 1's oblate earth)
            }
        } else {
            earth = "+R=\(number(double("radius") ?? 6367470))"
        }
        let target: String
        if gridType == "lambert" {
            guard let lat1 = double("Latin1InDegrees"), let lat2 = double("Latin2InDegrees"), let lat0 = double("LaDInDegrees"),
                  let lon0 = double("LoVInDegrees") else { return nil }
            target = "+proj=lcc +lat_1=\(number(lat1)) +lat_2=\(number(lat2)) +lat_0=\(number(lat0)) +lon_0=\(number(lon0))"
        } else {
            guard let lon0 = double("orientationOfTheGridInDegrees") else { return nil }
            let south = (long("projectionCentreFlag") ?? 0) & 128 != 0
            let ts = double("LaDInDegrees") ?? (south ? -60 : 60)
            target = "+proj=stere +lat_0=\(south ? -90 : 90) +lat_ts=\(number(ts)) +lon_0=\(number(lon0))"
        }
        return GRIBProjection(target: "\(target) \(earth) +x_0=0 +y_0=0 +units=m +no_defs +type=crs", source: "+proj=longlat \(earth) +no_defs +type=crs",
                              dx: dx, dy: dy)
    }

    /// The decoded values of the message at `offset` (`length` bytes) of `path`, in its scanning
    /// order, NaN where its bitmap marks a value missing.
    /// - Throws: `CubeError` naming the file and offset when the bytes are not the message any more.
    static func values(_ path: String, offset: Int, length: Int) throws -> [Double] {
        try values(GRIBFraming.message(path, offset: offset, length: length), path: path, offset: offset)
    }

    /// The decoded values of `bytes`, the whole message at `offset` of `path`, as
    /// `values(_:offset:length:)`.
    static func values(_ message: [UInt8], path: String, offset: Int) throws -> [Double] {
        let bytes = try GRIBDestinE.split(message, path: path, offset: offset)?.forLibrary ?? message
        let length = bytes.count
        return try lock.withLock { _ in
            _ = definitionsInstalled
            lastLibraryMessage = nil
            let h: OpaquePointer? = bytes.withUnsafeBytes { codes_handle_new_from_message_copy(nil, $0.baseAddress, length) }
            guard let h else {
                throw CubeError(.invalidInput, "'\(path)': the GRIB message at byte \(offset) does not decode\(libraryDetail())", context: ["file": path])
            }
            defer { codes_handle_delete(h) }
            var count = 0
            var missing = 9999.0
            var bitmap = 0
            codes_get_long(h, "bitmapPresent", &bitmap)
            if bitmap == 1 { codes_get_double(h, "missingValue", &missing) }
            var status = codes_get_size(h, "values", &count)
            guard count <= maximumValues else {
                throw CubeError(.invalidInput,
                    "'\(path)': the GRIB message at byte \(offset) claims \(count) values, more than the \(maximumValues) CubeGen decodes (damaged?)",
                    context: ["file": path])
            }
            var values = [Double](repeating: .nan, count: max(count, 1))
            if status == 0 { status = codes_get_double_array(h, "values", &values, &count) }
            guard status == 0 else {
                throw CubeError(.invalidInput,
                    "'\(path)': the values of the GRIB message at byte \(offset) do not decode (\(String(cString: codes_get_error_message(status))))\(libraryDetail())",
                    context: ["file": path])
            }
            if bitmap == 1 { for k in values.indices where values[k] == missing { values[k] = .nan } }
            return Array(values.prefix(count))
        }
    }
}
