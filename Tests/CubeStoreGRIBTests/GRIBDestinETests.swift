import CubeCore
import Foundation
import Testing
@testable import CubeStoreGRIB

/// DestinE local sections, decoded by CubeGen for ecCodes 2.28: messages made from a HEALPix
/// fixture by setting production status 12 and inserting a section 2 octet by octet, as ECMWF's
/// DestinE MARS labelling lays it out.
@Suite struct GRIBDestinETests {
    /// The fixture's first message.
    private var plain: [UInt8] {
        let path = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Fixtures/healpix_h2_nested.grib2").path
        let file = [UInt8](FileManager.default.contents(atPath: path) ?? Data())
        let length = (8..<16).reduce(0) { $0 << 8 | Int(file[$1]) }
        return Array(file[0..<length])
    }

    /// `plain` with production status `status` and a section 2 holding `content` (after octet 5).
    private func destine(_ content: [UInt8], status: UInt8 = 12) -> [UInt8] {
        var message = plain
        let section1 = 16, length1 = (0..<4).reduce(0) { $0 << 8 | Int(message[section1 + $1]) }
        message[section1 + 19] = status
        let length = 5 + content.count
        let section2 = [UInt8(length >> 24), UInt8(length >> 16 & 0xFF), UInt8(length >> 8 & 0xFF), UInt8(length & 0xFF), 2] + content
        message.insert(contentsOf: section2, at: section1 + length1)
        for k in 0..<8 { message[8 + k] = UInt8(message.count >> (8 * (7 - k)) & 0xFF) }
        return message
    }

    /// Version 1, climate-dt, ScenarioMIP, SSP3-7.0, generation 1, IFS-NEMO, realization 3, high.
    private let climate: [UInt8] = [0, 1, 0, 1, 0, 2, 0, 7, 1, 0, 2, 3, 0, 2]
    /// ECMWF's local section as a current ecCodes writes it after the DestinE part (MARS labelling).
    private let ecmwf: [UInt8] = [0, 1, 0, 1, 0, 2, 4, 1, 0x30, 0x30, 0x30, 0x31]

    @Test func climateLabelsAreDecodedAndTheLibraryGetsTheRest() throws {
        let (labels, library) = try #require(try GRIBDestinE.split(destine(climate + ecmwf), path: "dt.grib2", offset: 0))
        #expect(labels == DestinELabels(version: 1, dataset: "climate-dt", activity: "ScenarioMIP", experiment: "SSP3-7.0", generation: 1,
                                        model: "IFS-NEMO", realization: 3, resolution: "high"))
        #expect(labels.keys.map(\.key) == ["dataset", "activity", "experiment", "generation", "model", "realization", "resolution"])
        // Section 2 keeps ECMWF's part; the total length follows.
        var kept = plain
        kept[16 + 19] = 12
        let length1 = (0..<4).reduce(0) { $0 << 8 | Int(plain[16 + $1]) }
        kept.insert(contentsOf: [0, 0, 0, UInt8(5 + ecmwf.count), 2] + ecmwf, at: 16 + length1)
        for k in 0..<8 { kept[8 + k] = UInt8(kept.count >> (8 * (7 - k)) & 0xFF) }
        #expect(library == kept)
        // Nothing after the DestinE part: section 2 goes.
        var bare = plain
        bare[16 + 19] = 12
        #expect(try GRIBDestinE.split(destine(climate), path: "dt.grib2", offset: 0)?.forLibrary == bare)
    }

    @Test func otherDatasetsVersionTwoAndUnknownCodes() throws {
        // On-demand extremes DT with its georef, version 2 with the granular tile scheme.
        let extremes = try #require(try GRIBDestinE.split(destine([0, 2, 0, 4] + Array("u0qj8x2b".utf8) + [0, 2]), path: "x", offset: 0))
        #expect(extremes.labels == DestinELabels(version: 2, dataset: "on-demand-extremes-dt", georef: "u0qj8x2b", tileScheme: "granular"))
        // A code the tables do not know is its number; 255 generation/realization and 65535 are missing.
        let odd = try #require(try GRIBDestinE.split(destine([0, 1, 0, 1, 0, 99, 0xFF, 0xFF, 255, 0, 4, 255, 0, 1]), path: "x", offset: 0))
        #expect(odd.labels == DestinELabels(version: 1, dataset: "climate-dt", activity: "99", experiment: nil, generation: nil, model: "ICON",
                                            realization: nil, resolution: "standard"))
        // Production status other than 12/13, or no section 2: not DestinE, handed over as it is.
        #expect(try GRIBDestinE.split(destine(climate, status: 0), path: "x", offset: 0) == nil)
        #expect(try GRIBDestinE.split(plain, path: "x", offset: 0) == nil)
    }

    @Test func damagedSectionsAreOneLineErrorsNamingFileAndOffset() throws {
        let short = try #require(throws: CubeError.self) { try GRIBDestinE.split(destine(Array(climate.prefix(7))), path: "dt.grib2", offset: 4096) }
        #expect(short.message.contains("'dt.grib2'") && short.message.contains("byte 4096") && short.message.contains("experiment"), "\(short.message)")
        let version = try #require(throws: CubeError.self) { try GRIBDestinE.split(destine([0, 3, 0, 1]), path: "dt.grib2", offset: 0) }
        #expect(version.message.contains("version 3"), "\(version.message)")
    }

    @Test func ecCodesIndexesTheMessageWithItsLabelsAndRealizationAsMember() throws {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("cubegen-destine-\(UUID().uuidString).grib2").path
        defer { try? FileManager.default.removeItem(atPath: path) }
        FileManager.default.createFile(atPath: path, contents: Data(destine(climate + ecmwf) + destine(climate)))
        let messages = try GRIBCalls.index(path)
        #expect(messages.count == 2)
        for message in messages {
            #expect(message.gridType == "healpix" && message.nside == 2 && message.number == 3)
            #expect(message.destine?.experiment == "SSP3-7.0")
        }
        let values = try GRIBCalls.values(path, offset: messages[1].offset, length: messages[1].length)
        let reference = try GRIBCalls.values(plain, path: "fixture", offset: 0)
        #expect(values == reference)
    }
}
