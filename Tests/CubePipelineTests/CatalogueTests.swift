import CubeFixtures
import CubeGen
import CubeSamples
import Foundation
import Testing

/// The catalogue the pipeline writes: lineage from the plan, empty chunks, fingerprints, and
/// `CubeVerifier` on built and damaged cubes.
@Suite(.serialized) struct CatalogueTests {
    private func build(_ dir: TemporaryDirectory, grid: String, variables: String, catalog: String = "") async throws -> String {
        try LinearFields.dataset(resolution: 1, days: [7305, 7306, 7307]).write(to: dir.path("in.nc"))
        let text = """
            version: 1
            cube: {id: catalogue-test, title: Catalogue test, license: CC0-1.0}
            grid:
            \(grid)
            sources:
              - name: src
                store: netcdf
                paths: [in.nc]
                variables:
                  \(variables)
            output:
              path: out.zarr
              chunks: {time: 3, y: 5, x: 5}
            \(catalog)
            """
        let pipeline = Pipeline()
        let plan = try await pipeline.plan(try pipeline.load(recipeAt: try dir.write("recipe.yaml", text)))
        _ = try await pipeline.run(plan, options: RunOptions(workers: 2))
        return dir.path("out.zarr")
    }

    private func lineage(_ cube: String) throws -> Lineage {
        let data = try Data(contentsOf: URL(fileURLWithPath: cube).appendingPathComponent("lineage.json"))
        return try Lineage(json: try JSONValue.parse(Array(data)))
    }

    @Test func allFillChunksAreRecordedNotStoredAndTheCubeIsValid() async throws {
        let dir = try TemporaryDirectory("catalogue")
        defer { dir.remove() }
        // 10 × 10 one-degree pixels, rows 20…30°N: the 'wet' field is all sea (fill) there.
        let cube = try await build(dir, grid: "  crs: EPSG:4326\n  bbox: [0, 20, 10, 30]\n  resolution: 1", variables: "tas: {}\n      wet: {}")
        let record = try #require(try lineage(cube).variable("wet"))
        #expect(record.emptyChunks == [[0, 0, 0], [0, 0, 1], [0, 1, 0], [0, 1, 1]])
        #expect(try lineage(cube).variable("tas")?.emptyChunks == [])
        let files = try FileManager.default.contentsOfDirectory(atPath: cube + "/wet")
        #expect(files.filter { !$0.hasPrefix(".") }.isEmpty)
        let wet = try await CubeReader(path: cube).read("wet")
        #expect(wet.values.count == 300 && wet.values.allSatisfy(\.isNaN))
        let report = try await CubeVerifier(cubePath: cube, decodeChunks: true).verify()
        #expect(report.isValid, "\(report.problems)")
        #expect(report.problems.isEmpty, "\(report.problems)")
    }

    @Test func lineageFollowsThePlan() async throws {
        let dir = try TemporaryDirectory("catalogue")
        defer { dir.remove() }
        let cube = try await build(dir, grid: "  crs: EPSG:4326\n  bbox: [0, 40, 10, 50]\n  resolution: 0.5",
                                   variables: "tas: {}\n      pk: {resampling: average, dtype: int16, scale_factor: 0.0001, fill_value: -32768}",
                                   catalog: "catalog: {fingerprints: false}")
        let lineage = try lineage(cube)
        let tas = try #require(lineage.variable("tas")), pk = try #require(lineage.variable("pk"))
        // Same CRS: no reprojection step; 1° → 0.5°: up-sampling ×2 on both axes.
        #expect(tas.steps.map(\.kind) == [.decode, .resample, .cast])
        #expect(tas.step(.resample)?["scale_factor_x"] == .double(2) && tas.step(.resample)?["scale_factor_y"] == .double(2))
        #expect(tas.step(.resample)?["direction"] == .string("up"))
        #expect(pk.step(.resample)?["method"] == .string("average"))
        #expect(pk.step(.decode)?.effect.contains("quantised to steps of 0.001 (±0.0005)") == true)
        #expect(pk.step(.cast)?.effect.contains("values rounded to ±5e-05; representable range [-3.2768, 3.2767]") == true)
        #expect(tas.source.files.map(\.sha256) == [nil], "catalog.fingerprints: false")
        #expect(tas.source.files.first?.bytes == (try FileManager.default.attributesOfItem(atPath: dir.path("in.nc"))[.size] as? Int))
        #expect(lineage.recipe.normalized["catalog"]?["fingerprints"] == .bool(false))
        #expect(lineage.recipe.normalized["grid"]?["size"] == .array([.int(20), .int(20)]))
    }

    @Test func verifierFindsDamage() async throws {
        let dir = try TemporaryDirectory("catalogue")
        defer { dir.remove() }
        let cube = try await build(dir, grid: "  crs: EPSG:4326\n  bbox: [0, 40, 10, 50]\n  resolution: 1", variables: "tas: {}")
        let fm = FileManager.default
        #expect(try await CubeVerifier(cubePath: cube).verify().isValid)
        // A lost chunk.
        try fm.moveItem(atPath: cube + "/tas/0.1.1", toPath: dir.path("chunk"))
        var report = try await CubeVerifier(cubePath: cube).verify()
        #expect(report.errors.map(\.rule) == [.zarr])
        #expect(report.errors.first?.message.contains("tas/0.1.1") == true)
        try fm.moveItem(atPath: dir.path("chunk"), toPath: cube + "/tas/0.1.1")
        // A corrupt chunk is found only when decoding.
        let original = try Data(contentsOf: URL(fileURLWithPath: cube + "/tas/0.0.0"))
        try Data(original.prefix(20)).write(to: URL(fileURLWithPath: cube + "/tas/0.0.0"))
        #expect(try await CubeVerifier(cubePath: cube).verify().isValid)
        report = try await CubeVerifier(cubePath: cube, decodeChunks: true).verify()
        #expect(report.errors.first?.message.contains("tas/0.0.0") == true)
        try original.write(to: URL(fileURLWithPath: cube + "/tas/0.0.0"))
        // A STAC Collection that does not match: the one beside the cube is compared by default.
        let stac = dir.path("out.stac.json")
        let collection = try JSONValue.parse(Array(try Data(contentsOf: URL(fileURLWithPath: stac))))
        try Data(collection.setting("id", .string("other")).serialized().utf8).write(to: URL(fileURLWithPath: stac))
        report = try await CubeVerifier(cubePath: cube).verify()
        #expect(Set(report.errors.map(\.rule)) == [.catalogue], "\(report.problems)")
        #expect(report.errors.contains { $0.message.contains("has id 'other', the cube's id attribute is 'catalogue-test'") })
        #expect(report.errors.contains { $0.message.contains("item id differs from the Collection's") })
        #expect(report.catalogPath == stac)
        // Not a cube at all.
        await #expect(throws: CubeError.self) { try await CubeVerifier(cubePath: dir.path("nothing")).verify() }
    }
}
