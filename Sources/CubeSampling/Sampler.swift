public import CubeCore
public import CubeRecipe
public import CubeStorage
import Foundation
import Zarr

/// Cuts training data from a cube (`cubegen sample`, or a recipe's `ml:` section): patches of
/// `patch` every `stride`, assigned to train/val/test without leakage (`SplitAssignment`), kept when
/// valid enough, written per split as Zarr, `.npy` or WebDataset, with `manifest.json` and
/// `samples.jsonl`. Every chunk of the cube is decoded once (twice with `apply_normalization`,
/// whose statistics need a pass over the training samples first); the same cube, configuration
/// and seed give the same bytes.
///
/// ```swift
/// let section = try SamplingParser.load(path: "ml.yaml")
/// let report = try await Sampler(section: section, generator: "cubegen 0.2.0")
///     .run(cube: "cube.zarr", storage: FileSystemStorage(root: URL(fileURLWithPath: "cube.zarr")), output: "samples")
/// ```
public struct Sampler: Sendable {
    /// The configuration.
    public let section: SamplingSection
    /// The generator named in the manifest (`cubegen 0.2.0`).
    public let generator: String

    /// Creates a sampler.
    public init(section: SamplingSection, generator: String) {
        self.section = section
        self.generator = generator
    }

    /// The variables written: inputs, then targets (the mask is read, not written).
    private var written: [String] {
        var seen = Set<String>()
        return (section.inputs + section.targets).filter { seen.insert($0).inserted }
    }

    /// Samples the cube at `location` (read through `storage`) into the local folder `output`.
    /// - Throws: `CubeError` before anything is written for a variable not in the cube, a patch
    ///   larger than the cube, a block smaller than the patch, a split that would be empty, or an
    ///   existing output (without `overwrite`, or that is not a sample output); nothing reaches
    ///   `output` unless every split was written.
    public func run(cube location: String, storage: any ReadableStorage, output: String, overwrite: Bool = false) async throws -> SamplingReport {
        let started = Date()
        let destination = try SampleOutput(path: output, overwrite: overwrite)
        var variables = section.variables
        variables = variables.enumerated().filter { variables.firstIndex(of: $0.element) == $0.offset }.map(\.element)
        let cube = try await SampleCube.open(location, storage: storage, variables: variables)
        let patch = SamplingShape(time: section.patch.time, y: section.patch.y, x: section.patch.x)
        for (axis, p, n) in [("time", patch.time, cube.shape.time), ("y", patch.y, cube.shape.y), ("x", patch.x, cube.shape.x)] where p > n {
            throw CubeError(.invalidRecipe, "ml.patch.\(axis) (\(p)) is larger than the cube's \(axis) axis (\(n)) in '\(location)'")
        }
        let split = try SplitAssignment(section, shape: cube.shape)
        let origins = candidates(cube.shape, patch: patch)
        var statistics = TrainingStatistics()
        var chunksRead = 0
        if section.applyNormalization && section.normalize != .none {
            let cache = ChunkCache(cube: cube, variables: variables)
            try await visit(cube, origins, patch, split, cache) { _, sample in
                if sample.split == .train { for (v, name) in written.enumerated() { statistics.add(name, sample.values[v]) } }
            }
            chunksRead += cache.chunksRead
        }
        let staging = try destination.prepareStaging()
        var sinks: [SampleSplit: any SampleSink] = [:]
        let attributes = written.map { name in
            JSONValue.object((cube.arrays[name]!.spec.attributes.objectMembers ?? []).filter {
                ["units", "long_name", "standard_name"].contains($0.0)
            })
        }
        for s in SampleSplit.allCases {
            switch section.format {
            case .zarr:
                sinks[s] = ZarrSampleSink(output: staging, split: s, names: written, attributes: attributes, patch: patch,
                                          shardSize: section.shardSize,
                                          groupAttributes: .object([("split", .string(s.rawValue)), ("source_cube", .string(cube.id))]))
            case .npy:
                sinks[s] = try NpySampleSink(output: staging, split: s, names: written, patch: patch)
            case .webdataset:
                sinks[s] = WebDatasetSampleSink(output: staging, split: s, names: written, patch: patch, shardSize: section.shardSize)
            }
        }
        var counts: [SampleSplit: Int] = [:]
        var rejected: [SplitAssignment.Rejection: Int] = [:]
        var lines: [String] = []
        let cache = ChunkCache(cube: cube, variables: variables)
        let fitStatistics = !(section.applyNormalization && section.normalize != .none)
        do {
            try await visit(cube, origins, patch, split, cache, rejected: { rejected[$0, default: 0] += 1 }) { origin, sample in
                var values = sample.values
                if fitStatistics, sample.split == .train {
                    for (v, name) in written.enumerated() { statistics.add(name, values[v]) }
                }
                if !fitStatistics {
                    for (v, name) in written.enumerated() { statistics.apply(section.normalize.rawValue, to: name, &values[v]) }
                }
                let id = String(format: "t%06d_y%06d_x%06d", origin[0], origin[1], origin[2])
                let line = describe(id: id, split: sample.split, origin: origin, patch: patch, cube: cube, splitter: split,
                                    valid: sample.valid).serialized(indent: 0)
                try sinks[sample.split]!.append(id: id, origin: origin, values: values, metadata: line)
                counts[sample.split, default: 0] += 1
                lines.append(line)
            }
            chunksRead += cache.chunksRead
            for s in SampleSplit.allCases { try sinks[s]!.finish() }
            let fractions: [SampleSplit: Double] = [.train: section.split.train, .val: section.split.val, .test: section.split.test]
            for s in SampleSplit.allCases where fractions[s]! > 0 && counts[s, default: 0] == 0 {
                throw CubeError(.invalidInput,
                    "ml: split '\(s.rawValue)' is empty: none of its patches passed (rejected: \(Self.text(rejected))); "
                    + "lower min_valid_fraction or buffer, or use other blocks")
            }
            let manifest = self.manifest(cube: cube, split: split, statistics: statistics, counts: counts, rejected: rejected,
                                         files: SampleSplit.allCases.flatMap { sinks[$0]!.files }, candidates: origins.count)
            try writeFile(Array((manifest.serialized() + "\n").utf8), to: staging.appendingPathComponent(SampleOutput.manifestName))
            try writeFile(Array(lines.map { $0 + "\n" }.joined().utf8), to: staging.appendingPathComponent("samples.jsonl"))
            try destination.publish()
        } catch {
            destination.discard()
            throw error
        }
        return SamplingReport(output: destination.final.path, counts: counts.reduce(into: [:]) { $0[$1.key.rawValue] = $1.value },
                              rejected: rejected.reduce(into: [:]) { $0[$1.key.rawValue] = $1.value }, candidates: origins.count,
                              chunksRead: chunksRead, elapsed: Date().timeIntervalSince(started))
    }

    /// One accepted sample as visited.
    private struct Visited {
        var split: SampleSplit
        var values: [[Float]]
        var valid: [Double]
    }

    /// The window origins every `stride`, in time, then row, then column order.
    private func candidates(_ shape: SamplingShape, patch: SamplingShape) -> [[Int]] {
        var result: [[Int]] = []
        for t in stride(from: 0, through: shape.time - patch.time, by: section.stride.time) {
            for y in stride(from: 0, through: shape.y - patch.y, by: section.stride.y) {
                for x in stride(from: 0, through: shape.x - patch.x, by: section.stride.x) { result.append([t, y, x]) }
            }
        }
        return result
    }

    /// Visits the accepted samples in order: split assignment, then validity.
    private func visit(_ cube: SampleCube, _ origins: [[Int]], _ patch: SamplingShape, _ split: SplitAssignment, _ cache: ChunkCache,
                       rejected: (SplitAssignment.Rejection) -> Void = { _ in },
                       _ body: ([Int], Visited) throws -> Void) async throws {
        let cells = patch.time * patch.y * patch.x
        let names = written
        var preparedFor = -1
        var maskValues = [Float](repeating: 0, count: cells)
        for origin in origins {
            let assigned: SampleSplit
            switch split.classify(t0: origin[0], y0: origin[1], x0: origin[2], patch: patch) {
            case let .success(s): assigned = s
            case let .failure(reason):
                rejected(reason)
                continue
            }
            if origin[0] != preparedFor {
                try await cache.prepare(times: origin[0]..<(origin[0] + patch.time))
                preparedFor = origin[0]
            }
            if let mask = section.mask { cache.window(mask, t0: origin[0], y0: origin[1], x0: origin[2], size: patch, into: &maskValues) }
            var values: [[Float]] = []
            var valid: [Double] = []
            for name in names {
                var window = [Float](repeating: .nan, count: cells)
                cache.window(name, t0: origin[0], y0: origin[1], x0: origin[2], size: patch, into: &window)
                var count = 0
                if section.mask != nil {
                    for k in 0..<cells where !window[k].isNaN && !maskValues[k].isNaN && maskValues[k] != 0 { count += 1 }
                } else {
                    for k in 0..<cells where !window[k].isNaN { count += 1 }
                }
                values.append(window)
                valid.append(Double(count) / Double(cells))
            }
            if zip(names, valid).contains(where: { section.inputs.contains($0.0) && $0.1 < section.minValidInputs }) {
                rejected(.invalidInputs)
                continue
            }
            if zip(names, valid).contains(where: { section.targets.contains($0.0) && !section.inputs.contains($0.0) && $0.1 < section.minValidTargets }) {
                rejected(.invalidTargets)
                continue
            }
            try body(origin, Visited(split: assigned, values: values, valid: valid))
        }
    }

    /// The `samples.jsonl` line of one sample.
    private func describe(id: String, split: SampleSplit, origin: [Int], patch: SamplingShape, cube: SampleCube,
                          splitter: SplitAssignment, valid: [Double]) -> JSONValue {
        func edges(_ axis: [Double], _ start: Int, _ count: Int) -> JSONValue {
            let step = axis.count > 1 ? abs(axis[1] - axis[0]) : 1
            let a = axis[start], b = axis[start + count - 1]
            return .array([.double(min(a, b) - step / 2), .double(max(a, b) + step / 2)])
        }
        var time: JSONValue = .array([.double(cube.time[origin[0]]), .double(cube.time[origin[0] + patch.time - 1])])
        if let units = cube.timeUnits {
            time = .array([origin[0], origin[0] + patch.time - 1].map { .string(units.date(cube.time[$0]).iso8601(alwaysTime: true)) })
        }
        return .object([
            ("id", .string(id)), ("split", .string(split.rawValue)),
            ("block", .array(splitter.block(t: origin[0], y: origin[1], x: origin[2]).map { .int(Int64($0)) })),
            ("index", .object([("time", .array([.int(Int64(origin[0])), .int(Int64(origin[0] + patch.time))])),
                               ("y", .array([.int(Int64(origin[1])), .int(Int64(origin[1] + patch.y))])),
                               ("x", .array([.int(Int64(origin[2])), .int(Int64(origin[2] + patch.x))]))])),
            ("bounds", .object([("x", edges(cube.x, origin[2], patch.x)), ("y", edges(cube.y, origin[1], patch.y)),
                                ("crs", cube.crs.map(JSONValue.string) ?? .null)])),
            ("time", time),
            ("valid", .object(zip(written, valid).map { ($0.0, .double(($0.1 * 1e6).rounded() / 1e6)) })),
        ])
    }

    /// `manifest.json`.
    private func manifest(cube: SampleCube, split: SplitAssignment, statistics: TrainingStatistics, counts: [SampleSplit: Int],
                          rejected: [SplitAssignment.Rejection: Int], files: [String], candidates: Int) -> JSONValue {
        func extent(_ e: SamplingSection.Extent) -> JSONValue {
            .object([("time", .int(Int64(e.time))), ("y", .int(Int64(e.y))), ("x", .int(Int64(e.x)))])
        }
        let s = section
        let config: JSONValue = .object([
            ("inputs", .array(s.inputs.map(JSONValue.string))), ("targets", .array(s.targets.map(JSONValue.string))),
            ("patch", extent(s.patch)), ("stride", extent(s.stride)),
            ("min_valid_fraction", .object([("inputs", .double(s.minValidInputs)), ("targets", .double(s.minValidTargets))])),
            ("mask", s.mask.map(JSONValue.string) ?? .null),
            ("split", .object([("method", .string(s.split.method.rawValue)), ("block", s.split.block.map(extent) ?? .null),
                               ("fractions", .object([("train", .double(s.split.train)), ("val", .double(s.split.val)),
                                                      ("test", .double(s.split.test))])),
                               ("buffer", extent(s.split.buffer))])),
            ("seed", .int(Int64(bitPattern: s.seed))), ("normalize", .string(s.normalize.rawValue)),
            ("apply_normalization", .bool(s.applyNormalization)), ("format", .string(s.format.rawValue)),
            ("shard_size", .int(Int64(s.shardSize))),
        ])
        return .object([
            ("generator", .string(generator)),
            ("source", .object([("cube", .string(cube.location)), ("id", .string(cube.id)), ("digest", .string(cube.digest)),
                                ("recipe_sha256", cube.recipeSHA256.map(JSONValue.string) ?? .null),
                                ("dimensions", .array(cube.dimensions.map(JSONValue.string))),
                                ("shape", .array([cube.shape.time, cube.shape.y, cube.shape.x].map { .int(Int64($0)) })),
                                ("crs", cube.crs.map(JSONValue.string) ?? .null)])),
            ("seed", .int(Int64(bitPattern: s.seed))),
            ("config", config),
            ("block_grid", .object([
                ("block", .array([split.block.time, split.block.y, split.block.x].map { .int(Int64($0)) })),
                ("counts", .array([split.counts.time, split.counts.y, split.counts.x].map { .int(Int64($0)) })),
                ("splits", .string(split.letters)),
                ("legend", .string("one letter per block in (time, y, x) order: t train, v val, s test")),
            ])),
            ("statistics", .object([("method", .string(s.normalize.rawValue)), ("split", .string("train")),
                                    ("applied", .bool(s.applyNormalization && s.normalize != .none)),
                                    ("variables", statistics.json(written))])),
            ("candidates", .int(Int64(candidates))),
            ("counts", .object(SampleSplit.allCases.map { ($0.rawValue, .int(Int64(counts[$0] ?? 0))) })),
            ("rejected", .object(SplitAssignment.Rejection.allCases.map { ($0.rawValue, .int(Int64(rejected[$0] ?? 0))) })),
            ("files", .array(files.map(JSONValue.string))),
        ])
    }

    private static func text(_ rejected: [SplitAssignment.Rejection: Int]) -> String {
        let parts = SplitAssignment.Rejection.allCases.compactMap { r in rejected[r].map { "\($0) \(r.rawValue)" } }
        return parts.isEmpty ? "none" : parts.joined(separator: ", ")
    }
}

/// What `cubegen sample` did.
public struct SamplingReport: Sendable {
    /// The output folder.
    public var output: String
    /// Samples per split (`train`, `val`, `test`).
    public var counts: [String: Int]
    /// Patches rejected, by reason (`straddles`, `buffer`, `invalid_inputs`, `invalid_targets`).
    public var rejected: [String: Int]
    /// Candidate patches.
    public var candidates: Int
    /// Cube chunks decoded.
    public var chunksRead: Int
    /// Seconds taken.
    public var elapsed: Double

    /// One line for the terminal.
    public var summary: String {
        let kept = counts.values.reduce(0, +)
        let split = ["train", "val", "test"].map { "\($0) \(counts[$0] ?? 0)" }.joined(separator: ", ")
        let dropped = rejected.filter { $0.value > 0 }.sorted { $0.key < $1.key }.map { "\($0.value) \($0.key)" }.joined(separator: ", ")
        return String(format: "wrote %@: %d samples (%@) of %d patches%@; %d chunks read in %.2f s (%.0f samples/s)",
                      output, kept, split, candidates, dropped.isEmpty ? "" : "; rejected \(dropped)", chunksRead, elapsed,
                      elapsed > 0 ? Double(kept) / elapsed : 0)
    }
}
