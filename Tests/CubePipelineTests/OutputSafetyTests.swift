import CubeFixtures
import CubeGen
import CubeSamples
import Foundation
import Testing

/// What a run may replace (only a Zarr cube, only STAC documents beside it) and the checksums of
/// what it wrote (`chunks.sha256`, compared by `cubegen verify --decode`).
@Suite(.serialized) struct OutputSafetyTests {
    private func recipe(output: String, catalog: String = "", format: String = "zarr2") -> String {
        """
        version: 1
        cube: {id: safety-test, title: Safety test, license: CC0-1.0}
        grid: {crs: EPSG:4326, bbox: [0, 40, 10, 50], resolution: 1}
        sources:
          - name: src
            store: netcdf
            paths: [in.nc]
            variables: {tas: {}}
        output:
          path: \(output)
          chunks: {time: 3, y: 5, x: 5}
          format: \(format)
          overwrite: true
        \(catalog)
        """
    }

    private func run(_ dir: TemporaryDirectory, output: String, catalog: String = "", format: String = "zarr2") async throws {
        if !FileManager.default.fileExists(atPath: dir.path("in.nc")) {
            try LinearFields.dataset(resolution: 1, days: [7305, 7306, 7307]).write(to: dir.path("in.nc"))
        }
        let pipeline = Pipeline()
        let path = try dir.write("recipe.yaml", recipe(output: output, catalog: catalog, format: format))
        let plan = try await pipeline.plan(try pipeline.load(recipeAt: path))
        // Forced: an up-to-date cube is otherwise left alone without any check (nothing is touched).
        _ = try await pipeline.run(plan, options: RunOptions(workers: 2, force: true))
    }

    /// Runs and expects a refusal whose message contains `fragment`.
    private func expectRefusal(_ dir: TemporaryDirectory, output: String, catalog: String = "", _ fragment: String) async throws {
        do {
            try await run(dir, output: output, catalog: catalog)
            Issue.record("the run replaced '\(output)'")
        } catch let error as CubeError {
            #expect(error.code == .outputExists)
            #expect(error.message.contains(fragment), "\(error.message)")
            #expect(!error.message.contains("\n"))
        }
    }

    @Test func overwriteRefusesAFolderOfOtherFiles() async throws {
        let dir = try TemporaryDirectory("safety")
        defer { dir.remove() }
        try FileManager.default.createDirectory(atPath: dir.path("work"), withIntermediateDirectories: true)
        try dir.write("work/thesis.txt", "four years")
        try await expectRefusal(dir, output: dir.path("work"), "is a folder that is not a Zarr store (it holds thesis.txt)")
        #expect(try String(contentsOfFile: dir.path("work/thesis.txt"), encoding: .utf8) == "four years")
        #expect(!FileManager.default.fileExists(atPath: dir.path("work.cubegen-partial")))
    }

    @Test func overwriteRefusesAFileAnEmptyFolderAndAZarrStoreWithForeignFiles() async throws {
        let dir = try TemporaryDirectory("safety")
        defer { dir.remove() }
        try dir.write("notes.zarr", "not a folder")
        try await expectRefusal(dir, output: dir.path("notes.zarr"), "is a file, not a Zarr store")
        #expect(try String(contentsOfFile: dir.path("notes.zarr"), encoding: .utf8) == "not a folder")
        try FileManager.default.createDirectory(atPath: dir.path("empty.zarr"), withIntermediateDirectories: true)
        try await expectRefusal(dir, output: dir.path("empty.zarr"), "is an empty folder")
        // A cube in which somebody kept their own file.
        try await run(dir, output: dir.path("cube.zarr"))
        try dir.write("cube.zarr/tas/README.txt", "mine")
        try await expectRefusal(dir, output: dir.path("cube.zarr"), "also holds 'tas/README.txt'")
        #expect(FileManager.default.fileExists(atPath: dir.path("cube.zarr/tas/README.txt")))
    }

    @Test func overwriteReplacesAZarr3CubeWithItsScalarChunks() async throws {
        let dir = try TemporaryDirectory("safety")
        defer { dir.remove() }
        try await run(dir, output: dir.path("cube.zarr"), format: "zarr3")
        // A 0-d array's only chunk is `c` in Zarr v3 (`crs/c`): part of the cube, replaced by a re-run.
        #expect(FileManager.default.fileExists(atPath: dir.path("cube.zarr/crs/c")))
        try await run(dir, output: dir.path("cube.zarr"), format: "zarr3")
        #expect(FileManager.default.fileExists(atPath: dir.path("cube.zarr/crs/c")))
        try dir.write("cube.zarr/crs/c.txt", "mine")
        try await expectRefusal(dir, output: dir.path("cube.zarr"), "also holds 'crs/c.txt'")
    }

    @Test func overwriteRefusesTheHomeAndWorkingFolders() async throws {
        let dir = try TemporaryDirectory("safety")
        defer { dir.remove() }
        try await expectRefusal(dir, output: NSHomeDirectory(), "the home folder")
        try await expectRefusal(dir, output: "/", "/")
        try await expectRefusal(dir, output: FileManager.default.currentDirectoryPath, "working folder")
    }

    @Test func overwriteReplacesACubeAndRefusesForeignSTACFiles() async throws {
        let dir = try TemporaryDirectory("safety")
        defer { dir.remove() }
        try await run(dir, output: dir.path("cube.zarr"))
        let before = try FileManager.default.contentsOfDirectory(atPath: dir.path("cube.zarr"))
        try await run(dir, output: dir.path("cube.zarr"))
        #expect(try FileManager.default.contentsOfDirectory(atPath: dir.path("cube.zarr")).sorted() == before.sorted())
        // A file where the Collection goes that is not a STAC document stops the run before it starts.
        try dir.write("cube.stac.json", "my notes")
        try await expectRefusal(dir, output: dir.path("cube.zarr"), "is a file that is not a STAC document")
        #expect(try String(contentsOfFile: dir.path("cube.stac.json"), encoding: .utf8) == "my notes")
        try dir.write("elsewhere.json", "{\"title\": \"mine\"}")
        try await expectRefusal(dir, output: dir.path("cube.zarr"), catalog: "catalog: {path: \(dir.path("elsewhere.json"))}",
                                "not a STAC document")
        // A staging folder CubeGen did not make is not removed.
        try FileManager.default.removeItem(atPath: dir.path("cube.stac.json"))
        try FileManager.default.createDirectory(atPath: dir.path("cube.zarr.cubegen-partial"), withIntermediateDirectories: true)
        try dir.write("cube.zarr.cubegen-partial/data.csv", "1,2")
        try await expectRefusal(dir, output: dir.path("cube.zarr"), "was not made by CubeGen")
        #expect(FileManager.default.fileExists(atPath: dir.path("cube.zarr.cubegen-partial/data.csv")))
    }

    @Test func writtenChunksAreListedAndAFlippedBitIsFoundByKey() async throws {
        let dir = try TemporaryDirectory("safety")
        defer { dir.remove() }
        try await run(dir, output: dir.path("cube.zarr"))
        let cube = dir.path("cube.zarr")
        let list = try ChunkChecksums(text: String(contentsOfFile: cube + "/chunks.sha256", encoding: .utf8))
        // Every stored chunk (data and coordinates) is listed, with the digest of its bytes.
        let stored = try FileManager.default.subpathsOfDirectory(atPath: cube).filter {
            !$0.hasPrefix(".cubegen") && ($0.split(separator: "/").last.map { $0.first!.isNumber } ?? false)
        }
        #expect(Set(list.digests.keys) == Set(stored))
        #expect(list.digests.keys.contains("tas/0.1.1") && list.digests.keys.contains("time/0"))
        for key in stored {
            let bytes = [UInt8](try Data(contentsOf: URL(fileURLWithPath: cube + "/" + key)))
            #expect(list.digests[key] == ChunkChecksums.digest(bytes), "\(key)")
        }
        #expect(try await CubeVerifier(cubePath: cube, decodeChunks: true).verify().problems.isEmpty)
        // One bit flipped in the middle of a chunk: still decodes, but differs from what was written.
        let url = URL(fileURLWithPath: cube + "/tas/0.1.0")
        var bytes = [UInt8](try Data(contentsOf: url))
        bytes[bytes.count / 2] ^= 0x10
        try Data(bytes).write(to: url)
        #expect(try await CubeVerifier(cubePath: cube).verify().isValid, "presence only without --decode")
        let report = try await CubeVerifier(cubePath: cube, decodeChunks: true).verify()
        #expect(report.errors.contains { $0.message.contains("chunk 'tas/0.1.0' differs from what was written") }, "\(report.problems)")
    }

    @Test func checksumListsRoundTripAndRejectBadLines() throws {
        var list = ChunkChecksums()
        list.record("b/0.0", bytes: Array("abc".utf8))
        list.record("a/0", bytes: [])
        #expect(list.text == """
            e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855  a/0
            ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad  b/0.0

            """)
        #expect(try ChunkChecksums(text: list.text) == list)
        #expect(throws: ChecksumListError.self) { try ChunkChecksums(text: "xyz  a/0\n") }
    }
}
