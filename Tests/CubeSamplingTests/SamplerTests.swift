import CubeFixtures
import CubeGen
import CubeSamples
import CubeStorageS3
import Foundation
import Testing

/// The ML sampling module on a cube built from analytic fields: every sample holds the cube's
/// values at its recorded window, no sample lies within the buffer of another split's, statistics
/// are the training split's, the same seed gives the same bytes, and bad configurations are
/// one-line errors before anything is written.
@Suite(.serialized) struct SamplerTests {
    /// A 20-day, 40 × 60 cube of tas, wet (with fill) and pk, chunked 7 × 16 × 16.
    private func cube(_ dir: TemporaryDirectory) async throws -> String {
        try LinearFields.dataset(resolution: 1, days: (0..<20).map { Double(7305 + $0) }).write(to: dir.path("in.nc"))
        let recipe = try dir.write("recipe.yaml", """
            version: 1
            cube: {id: sampling-test, title: Sampling test, license: CC0-1.0}
            grid: {crs: EPSG:4326, bbox: [-30, 20, 30, 60], resolution: 1}
            sources:
              - {name: src, store: netcdf, paths: [in.nc], variables: {tas: {}, wet: {}, pk: {}}}
            output: {path: \(dir.path("cube.zarr")), chunks: {time: 7, y: 16, x: 16}}
            """)
        let pipeline = Pipeline()
        _ = try await pipeline.run(try await pipeline.plan(try pipeline.load(recipeAt: recipe)))
        return dir.path("cube.zarr")
    }

    private func config(_ dir: TemporaryDirectory, _ extra: String = "", seed: Int = 7, format: String = "npy",
                        stride: String = "{time: 2, y: 3, x: 3}",
                        split: String = "{method: blocks, block: {time: 10, y: 20, x: 20}, fractions: {train: 0.5, val: 0.25, test: 0.25}, buffer: {time: 0, y: 2, x: 2}}") throws -> SamplingSection {
        let path = try dir.write("ml-\(UUID().uuidString).yaml", """
            inputs: [tas, wet]
            targets: [pk]
            patch: {time: 2, y: 4, x: 4}
            stride: \(stride)
            split: \(split)
            seed: \(seed)
            format: \(format)
            shard_size: 5
            \(extra)
            """)
        return try SamplingParser.load(path: path)
    }

    private func run(_ section: SamplingSection, _ cube: String, _ output: String) async throws -> SamplingReport {
        try await Sampler(section: section, generator: "cubegen test").run(cube: cube, storage: FileSystemStorage(root: URL(fileURLWithPath: cube)),
                                                                            output: output)
    }

    private struct Line: Decodable {
        var id: String
        var split: String
        var index: [String: [Int]]
        var valid: [String: Double]
    }

    private func lines(_ output: String) throws -> [Line] {
        try String(contentsOfFile: output + "/samples.jsonl", encoding: .utf8).split(separator: "\n").map {
            try JSONDecoder().decode(Line.self, from: Data($0.utf8))
        }
    }

    /// A float32 `.npy` file's values (after its header).
    private func npy(_ path: String) throws -> [Float] {
        let data = [UInt8](try Data(contentsOf: URL(fileURLWithPath: path)))
        let headerLength = Int(data[8]) | Int(data[9]) << 8
        return data[(10 + headerLength)...].withUnsafeBytes { Array($0.bindMemory(to: Float.self)) }
    }

    @Test func samplesHoldTheCubeValuesAtTheirWindowsWithoutLeakage() async throws {
        let dir = try TemporaryDirectory("sampling")
        defer { dir.remove() }
        let cube = try await cube(dir)
        let section = try config(dir, "min_valid_fraction: {inputs: 0.5}")
        let report = try await run(section, cube, dir.path("s"))
        #expect(report.chunksRead == 3 * 3 * 3 * 4, "each chunk decoded once: \(report.summary)")
        let samples = try lines(dir.path("s"))
        #expect(samples.count == report.counts.values.reduce(0, +) && samples.count > 50)
        // Values: every sample equals the cube at its window.
        let storage = FileSystemStorage(root: URL(fileURLWithPath: cube))
        var truth: [String: [Double]] = [:]
        for name in ["tas", "wet", "pk"] { truth[name] = try await ZarrArrayReader(storage: storage, name: name).allValues() }
        for split in ["train", "val", "test"] {
            let ofSplit = samples.filter { $0.split == split }
            for name in ["tas", "wet", "pk"] {
                let values = try npy(dir.path("s/\(split)/\(name).npy"))
                #expect(values.count == ofSplit.count * 32)
                for (n, sample) in ofSplit.enumerated() {
                    let (t0, y0, x0) = (sample.index["time"]![0], sample.index["y"]![0], sample.index["x"]![0])
                    var k = 0
                    for t in t0..<(t0 + 2) { for y in y0..<(y0 + 4) { for x in x0..<(x0 + 4) {
                        let expected = Float(truth[name]![(t * 40 + y) * 60 + x])
                        let got = values[n * 32 + k]
                        #expect(got == expected || (got.isNaN && expected.isNaN), "\(split) \(sample.id) \(name)[\(k)]")
                        k += 1
                    } } }
                }
            }
        }
        // No pixel of a sample lies within the buffer (2 pixels) of another split's sample.
        for a in samples {
            for b in samples where a.split < b.split {
                let apart = ["time": 0, "y": 2, "x": 2].contains { axis, gap in
                    a.index[axis]![1] + gap <= b.index[axis]![0] || b.index[axis]![1] + gap <= a.index[axis]![0]
                }
                #expect(apart, "\(a.id) (\(a.split)) and \(b.id) (\(b.split)) are closer than the buffer")
            }
        }
        // Statistics: the training split's, as numpy computes them (population std).
        let manifest = try JSONValue.parse([UInt8](try Data(contentsOf: URL(fileURLWithPath: dir.path("s/manifest.json")))))
        for name in ["tas", "wet"] {
            let train = try npy(dir.path("s/train/\(name).npy")).filter { !$0.isNaN }.map(Double.init)
            let mean = train.reduce(0, +) / Double(train.count)
            let std = (train.map { ($0 - mean) * ($0 - mean) }.reduce(0, +) / Double(train.count)).squareRoot()
            let stats = manifest["statistics"]!["variables"]![name]!
            #expect(stats["count"]!.intValue == train.count)
            #expect(abs(stats["mean"]!.doubleValue! - mean) <= 1e-9 * max(1, abs(mean)))
            #expect(abs(stats["std"]!.doubleValue! - std) <= 1e-7 * max(1, std))
        }
        #expect(manifest["counts"]!["train"]!.intValue == samples.filter { $0.split == "train" }.count)
    }

    @Test func theSameSeedGivesTheSameBytesAndAnotherSeedAnotherAssignment() async throws {
        let dir = try TemporaryDirectory("sampling")
        defer { dir.remove() }
        let cube = try await cube(dir)
        var assignments: [[String]] = []
        var trainShares: [Double] = []
        // Blocks of one patch each (1500 of them), and patches drawn one by one.
        for (name, seed, method) in [("a", 1, "blocks"), ("b", 1, "blocks"), ("c", 2, "blocks"), ("d", 1, "random"), ("e", 2, "random")] {
            let split = "{method: \(method), block: {time: 2, y: 4, x: 4}, fractions: {train: 0.6, val: 0.2, test: 0.2}}"
            _ = try await run(try config(dir, seed: seed, format: "webdataset", stride: "{time: 2, y: 4, x: 4}", split: split), cube, dir.path(name))
            let samples = try lines(dir.path(name))
            assignments.append(samples.map(\.split))
            trainShares.append(Double(samples.filter { $0.split == "train" }.count) / Double(samples.count))
        }
        for file in try FileManager.default.subpathsOfDirectory(atPath: dir.path("a")) {
            #expect(FileManager.default.contents(atPath: dir.path("a/\(file)")) == FileManager.default.contents(atPath: dir.path("b/\(file)")), "\(file)")
        }
        #expect(assignments[0] == assignments[1] && assignments[0] != assignments[2] && assignments[3] != assignments[4])
        #expect(assignments.allSatisfy { $0.count == 1500 })
        #expect(trainShares.allSatisfy { abs($0 - 0.6) <= 0.05 }, "\(trainShares)")
    }

    @Test(.enabled(if: S3TestService.current != nil, "\(S3TestService.skipMessage)"))
    func aCubeOnS3GivesTheSameSamplesAsTheLocalCube() async throws {
        let service = try #require(S3TestService.current)
        let dir = try TemporaryDirectory("sampling")
        defer { dir.remove() }
        let cube = try await cube(dir)
        let configuration = S3Configuration(endpoint: try S3Endpoint(url: service.endpoint), region: "us-east-1",
                                            credentials: S3Credentials(accessKeyID: service.key, secretAccessKey: service.secret))
        let bucket = "cubegen-ml-" + UUID().uuidString.lowercased().prefix(8)
        try await S3Storage(bucket: bucket, configuration: configuration).createBucket()
        let remote = S3Storage(bucket: bucket, prefix: "cubes/cube.zarr", configuration: configuration)
        let local = FileSystemStorage(root: URL(fileURLWithPath: cube))
        for key in try await local.list(prefix: "") { try await remote.set(key, to: try #require(try await local.get(key))) }
        let section = try config(dir, format: "zarr")
        _ = try await run(section, cube, dir.path("local"))
        _ = try await Sampler(section: section, generator: "cubegen test").run(cube: "s3://\(bucket)/cubes/cube.zarr", storage: remote,
                                                                                output: dir.path("remote"))
        for file in try FileManager.default.subpathsOfDirectory(atPath: dir.path("local")) where file != "manifest.json" {
            #expect(FileManager.default.contents(atPath: dir.path("local/\(file)")) == FileManager.default.contents(atPath: dir.path("remote/\(file)")),
                    "\(file)")
        }
        // The manifests differ only in the cube's location.
        let a = try String(contentsOfFile: dir.path("local/manifest.json"), encoding: .utf8)
        let b = try String(contentsOfFile: dir.path("remote/manifest.json"), encoding: .utf8)
        #expect(a.replacingOccurrences(of: cube, with: "s3://\(bucket)/cubes/cube.zarr") == b)
    }

    @Test func badConfigurationsAreOneLineErrorsBeforeAnythingIsWritten() async throws {
        let dir = try TemporaryDirectory("sampling")
        defer { dir.remove() }
        let cube = try await cube(dir)
        let cases: [(String, String)] = [
            ("patch: {time: 30, y: 4, x: 4}", "ml.patch.time (30) is larger than the cube's time axis (20)"),
            ("inputs: [tas, nope]", "variable 'nope' is not in the cube"),
            ("split: {method: blocks, block: {time: 1, y: 20, x: 20}}", "ml.split.block.time (1) is smaller than ml.patch.time (2)"),
            ("split: {method: blocks, block: {time: 20, y: 40, x: 60}, fractions: {train: 0.5, val: 0.25, test: 0.25}}", "would be empty"),
            ("split: {method: blocks, block: {time: 10, y: 20, x: 20}, fractions: {train: 0.5, val: 0.3, test: 0.3}}", "train + val + test must be 1"),
            ("min_valid_fraction: {inputs: 1.5}", "must lie between 0 and 1"),
        ]
        for (change, says) in cases {
            let key = String(change.prefix { $0 != ":" })
            var text = """
                inputs: [tas, wet]
                targets: [pk]
                patch: {time: 2, y: 4, x: 4}
                split: {method: blocks, block: {time: 10, y: 20, x: 20}, fractions: {train: 0.5, val: 0.25, test: 0.25}}
                """
            text = text.split(separator: "\n").filter { !$0.hasPrefix(key + ":") }.joined(separator: "\n") + "\n" + change + "\n"
            let path = try dir.write("bad.yaml", text)
            do {
                _ = try await run(try SamplingParser.load(path: path), cube, dir.path("out"))
                Issue.record("accepted: \(change)")
            } catch let error as CubeError {
                #expect(error.message.contains(says) && !error.message.contains("\n"), "\(change): \(error.message)")
            }
            #expect(!FileManager.default.fileExists(atPath: dir.path("out")) && !FileManager.default.fileExists(atPath: dir.path("out.cubegen-partial")))
        }
    }
}
