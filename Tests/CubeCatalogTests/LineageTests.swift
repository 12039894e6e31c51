import CubeCatalog
import Testing
import Zarr

/// The lineage document: JSON round trip, texts, number format.
struct LineageTests {
    static func sample() -> Lineage {
        let source = SourceRecord(
            name: "src", store: "netcdf", files: [.init(path: "/data/a.nc", bytes: 10, sha256: String(repeating: "ab", count: 32))],
            variable: "t2m", dataType: "int16", packing: [("scale_factor", .double(0.01)), ("add_offset", .double(273.15))],
            attributes: [("units", .string("K"))], crs: [("definition", .string("EPSG:4326"))],
            grid: [("size", .array([.int(360), .int(180)]))], time: [("steps", .int(3))])
        let steps = [
            LineageStep(.decode, [("dtype", .string("int16"))], effect: "quantised to 0.01"),
            LineageStep(.resample, [("method", .string("bilinear")), ("scale_factor_x", .double(5.6))], effect: "interpolated"),
            LineageStep(.cast, [("dtype", .string("float32"))], effect: "stored as float32"),
        ]
        return Lineage(cubeID: "c", created: "2026-01-01T00:00:00Z",
                       recipe: RecipeRecord(file: "r.yaml", sha256: String(repeating: "0", count: 64), formatVersion: 1, normalized: .object([])),
                       software: [SoftwareVersion(name: "cubegen", version: "0.2.0"), SoftwareVersion(name: "proj", version: "9.1.1")],
                       variables: [VariableLineage(name: "t2m", source: source, steps: steps, emptyChunks: [[0, 1, 2]])])
    }

    @Test func roundTripsThroughJSON() throws {
        let lineage = LineageTests.sample()
        let text = lineage.json.serialized(indent: 2)
        let back = try Lineage(json: try JSONValue.parse(Array(text.utf8)))
        #expect(back == lineage)
        #expect(back.variable("t2m")?.emptyChunks == [[0, 1, 2]])
        #expect(back.variable("t2m")?.step(.resample)?["scale_factor_x"] == .double(5.6))
    }

    @Test func malformedDocumentsNameTheMember() {
        let broken = LineageTests.sample().json.setting("variables", .string("none"))
        #expect(throws: LineageError.self) { try Lineage(json: broken) }
        do {
            _ = try Lineage(json: broken)
        } catch {
            #expect("\(error)".contains("variables"))
        }
    }

    @Test func attributeTextsAreNumberedStepsAndTheSource() throws {
        let variable = try #require(LineageTests.sample().variable("t2m"))
        #expect(variable.stepsText == """
            1. decode(dtype=int16): quantised to 0.01
            2. resample(method=bilinear, scale_factor_x=5.6): interpolated
            3. cast(dtype=float32): stored as float32
            """)
        #expect(variable.sourceText == "variable 't2m' (int16) of netcdf source 'src': a.nc")
        #expect(LineageTests.sample().softwareText == "cubegen 0.2.0, proj 9.1.1")
        #expect(LineageTests.sample().markdown.contains("- **t2m**: variable 't2m'"))
    }

    @Test func numbersAreShortAndExact() {
        #expect(LineageFormat.number(0.0001) == "0.0001")
        #expect(LineageFormat.number(5.621345) == "5.6213")
        #expect(LineageFormat.number(27800) == "27800")
        #expect(LineageFormat.number(-3.2768) == "-3.2768")
        #expect(LineageFormat.number(5e-05) == "5e-05")
        #expect(LineageFormat.number(2.5) == "2.5")
    }
}
