import CubeCore

/// The labels of a Destination Earth message: its DestinE local section (GRIB 2 section 2 of a
/// message whose production status, section 1 octet 20, is 12 or 13: DestinE production or
/// test), as ECMWF publishes its layout for MARS. Codes are given by their table abbreviations
/// (`climate-dt`, `ScenarioMIP`, `SSP3-7.0`, `IFS-NEMO`, `high`); a code the tables do not
/// know is given as its number.
public struct DestinELabels: Hashable, Sendable, Codable {
    /// The layout version (octets 6–7): 1 MARS labelling, 2 the same plus a tile scheme.
    public var version: Int
    /// The digital twin (octets 8–9): `climate-dt`, `extremes-dt`, `on-demand-climate-dt`,
    /// `on-demand-extremes-dt`, `glori-dt`.
    public var dataset: String
    /// Climate DT: the activity (`CMIP6`, `ScenarioMIP`, `HighResMIP`, `story-nudging`, `baseline`, `projections`).
    public var activity: String?
    /// Climate DT: the experiment (`hist`, `cont`, `amip`, `SSP3-7.0`, `Tplus2.0K`, …).
    public var experiment: String?
    /// Climate DT: the production generation.
    public var generation: Int?
    /// Climate DT: the model (`IFS`, `IFS-NEMO`, `IFS-FESOM`, `ICON`).
    public var model: String?
    /// Climate DT: the realization (ensemble member of the simulation).
    public var realization: Int?
    /// Climate DT: the output resolution (`standard`, `high`).
    public var resolution: String?
    /// On-demand extremes DT: the geographic reference (8 characters).
    public var georef: String?
    /// Version 2: the land-surface tile scheme (`simple`, `granular`).
    public var tileScheme: String?

    /// The labels as `select` keys and `GRIB_<key>` attributes, in layout order (absent ones left out).
    public var keys: [(key: String, value: String)] {
        var result: [(key: String, value: String)] = [("dataset", dataset)]
        if let activity { result.append(("activity", activity)) }
        if let experiment { result.append(("experiment", experiment)) }
        if let generation { result.append(("generation", String(generation))) }
        if let model { result.append(("model", model)) }
        if let realization { result.append(("realization", String(realization))) }
        if let resolution { result.append(("resolution", resolution)) }
        if let georef { result.append(("georef", georef)) }
        if let tileScheme { result.append(("tilescheme", tileScheme)) }
        return result
    }
}

/// Reads DestinE local sections for ecCodes 2.28, which predates them (ecCodes 2.33) and reads
/// their octets as ECMWF's own local section, so a Destination Earth message does not decode.
/// CubeGen decodes the DestinE part itself and hands the library the message without it:
/// section 2 then holds what follows the DestinE part (ECMWF's local section: its definition
/// number and MARS labelling, which 2.28 reads), or is left out when nothing follows.
///
/// Layout of the DestinE part (after the section's length and number, octets 1–5), written for
/// CubeGen from ECMWF's published DestinE MARS labelling: octets 6–7 the version (1 or 2), 8–9
/// the dataset; a `climate-dt` message then has activity (2 octets), experiment (2),
/// generation (1), model (2), realization (1) and resolution (2); an `on-demand-extremes-dt`
/// message a georeference (8 ASCII characters); other datasets nothing more; version 2 ends with
/// the tile scheme (2).
enum GRIBDestinE {
    /// Code tables (code → abbreviation), from ECMWF's DestinE tables; 65535 is "missing".
    static let datasets = [0: "unknown", 1: "climate-dt", 2: "extremes-dt", 3: "on-demand-climate-dt", 4: "on-demand-extremes-dt", 5: "glori-dt"]
    static let activities = [0: "unknown", 1: "CMIP6", 2: "ScenarioMIP", 3: "HighResMIP", 4: "story-nudging", 5: "baseline", 6: "projections"]
    static let experiments = [0: "unknown", 1: "hist", 2: "cont", 3: "amip", 4: "SSP1-1.9", 5: "SSP1-2.6", 6: "SSP2-4.5", 7: "SSP3-7.0",
                              8: "SSP5-8.5", 9: "Tplus1.5K", 10: "Tplus2.0K", 11: "Tplus3.0K", 12: "Tplus4.0K", 13: "abrupt4xco2"]
    static let models = [0: "unknown", 1: "IFS", 2: "IFS-NEMO", 3: "IFS-FESOM", 4: "ICON"]
    static let resolutions = [0: "unknown", 1: "standard", 2: "high"]
    static let tileSchemes = [0: "unknown", 1: "simple", 2: "granular"]

    /// Whether `message` may carry a DestinE local section: GRIB 2 with production status 12 or
    /// 13 in section 1 (`split` then decides); reads only section 1's first octets.
    static func mayHaveLocalSection(_ message: UnsafeRawBufferPointer) -> Bool {
        guard message.count >= 16 + 21, message[7] == 2, message[16 + 4] == 1 else { return false }
        return message[16 + 19] == 12 || message[16 + 19] == 13
    }

    /// The message as ecCodes 2.28 can read it and the DestinE labels it carried; `nil` when the
    /// message is not GRIB 2 with a DestinE local section (it is handed over as it is).
    /// - Throws: `CubeError` naming the file and the message's offset when the DestinE section is
    ///   shorter than its dataset's fields or of a version CubeGen does not know.
    static func split(_ message: [UInt8], path: String, offset: Int) throws -> (labels: DestinELabels, forLibrary: [UInt8])? {
        func integer(_ at: Int, _ count: Int) -> Int { (0..<count).reduce(0) { $0 << 8 | Int(message[at + $1]) } }
        guard message.count >= 16 + 21, message[7] == 2 else { return nil }
        let section1 = 16, length1 = integer(section1, 4)
        guard message[section1 + 4] == 1, length1 >= 21, section1 + length1 + 5 <= message.count else { return nil }
        let status = Int(message[section1 + 19])
        guard status == 12 || status == 13 else { return nil }
        let section2 = section1 + length1, length2 = integer(section2, 4)
        guard message[section2 + 4] == 2, length2 > 5, section2 + length2 <= message.count else { return nil }
        func refuse(_ what: String) -> CubeError {
            CubeError(.invalidInput, "'\(path)': the DestinE local section (section 2) of the GRIB message at byte \(offset) \(what) (damaged?)",
                      context: ["file": path])
        }
        var at = section2 + 5
        let end = section2 + length2
        func take(_ count: Int, _ field: String) throws -> Int {
            guard at + count <= end else { throw refuse("is \(length2) bytes long, too short for its \(field)") }
            defer { at += count }
            return integer(at, count)
        }
        func name(_ table: [Int: String], _ code: Int) -> String? { code == 65535 ? nil : table[code] ?? String(code) }
        let version = try take(2, "version")
        guard version == 1 || version == 2 else {
            throw CubeError(.unsupported,
                "'\(path)': the GRIB message at byte \(offset) has a DestinE local section of version \(version); CubeGen reads versions 1 and 2",
                context: ["file": path])
        }
        let datasetCode = try take(2, "dataset")
        var labels = DestinELabels(version: version, dataset: name(datasets, datasetCode) ?? "missing")
        switch labels.dataset {
        case "climate-dt":
            labels.activity = name(activities, try take(2, "activity"))
            labels.experiment = name(experiments, try take(2, "experiment"))
            labels.generation = try take(1, "generation")
            labels.model = name(models, try take(2, "model"))
            labels.realization = try take(1, "realization")
            labels.resolution = name(resolutions, try take(2, "resolution"))
            if labels.generation == 255 { labels.generation = nil }
            if labels.realization == 255 { labels.realization = nil }
        case "on-demand-extremes-dt":
            guard at + 8 <= end else { throw refuse("is \(length2) bytes long, too short for its georef") }
            labels.georef = String(decoding: message[at..<(at + 8)], as: UTF8.self)
            at += 8
        default:
            break
        }
        if version == 2 { labels.tileScheme = name(tileSchemes, try take(2, "tile scheme")) }
        // Section 2 keeps what follows (ECMWF's local section), or goes when nothing does.
        let rest = message[at..<end]
        var library = Array(message[..<section2])
        if !rest.isEmpty {
            let length = 5 + rest.count
            library += [UInt8(length >> 24 & 0xFF), UInt8(length >> 16 & 0xFF), UInt8(length >> 8 & 0xFF), UInt8(length & 0xFF), 2]
            library += rest
        }
        library += message[end...]
        for k in 0..<8 { library[8 + k] = UInt8(library.count >> (8 * (7 - k)) & 0xFF) }
        return (labels, library)
    }
}
