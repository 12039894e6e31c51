import CubeCore
public import Foundation
import Yams

/// Reads an `ml:` section (or a standalone sampling configuration file) into a `SamplingSection`,
/// with a located diagnostic for every problem.
public enum SamplingParser {
    /// The keys of the section.
    static let keys = ["inputs", "targets", "patch", "stride", "min_valid_fraction", "mask", "split", "seed", "normalize",
                       "apply_normalization", "format", "shard_size", "output"]

    /// Loads a sampling configuration file (`cubegen sample --config ml.yaml`).
    /// - Throws: `CubeError` (`.invalidRecipe`) naming the file, line and key of the first problem.
    public static func load(path: String) throws -> SamplingSection {
        let url = URL(fileURLWithPath: path)
        guard let data = FileManager.default.contents(atPath: url.path), let text = String(data: data, encoding: .utf8) else {
            throw CubeError(.invalidRecipe, "cannot read sampling configuration '\(path)'", context: ["file": path])
        }
        var reader = YAMLReader(file: path)
        let root: Node?
        do {
            root = try Yams.compose(yaml: text)
        } catch {
            throw CubeError(.invalidRecipe, "\(path): not valid YAML: \("\(error)".replacingOccurrences(of: "\n", with: " "))", context: ["file": path])
        }
        let section = root.flatMap { read($0, path: "", reader: &reader, directory: url.deletingLastPathComponent()) }
        if let first = reader.diagnostics.first(where: { $0.severity == .error }) {
            throw CubeError(.invalidRecipe, first.description, context: ["file": path, "key": first.key])
        }
        guard let section else { throw CubeError(.invalidRecipe, "\(path): the sampling configuration is empty", context: ["file": path]) }
        return section
    }

    /// Reads the section at `node` (`path` is its key path, `ml` in a recipe).
    static func read(_ node: Node, path: String, reader: inout YAMLReader, directory: URL) -> SamplingSection? {
        guard let map = reader.mapping(node, key: path, allowed: keys) else { return nil }
        let inputs = reader.required(map, "inputs", in: path, parent: node) { $0.strings($1, $2) }
        let targets = reader.optional(map, "targets", in: path) { $0.strings($1, $2) } ?? []
        let patch = reader.required(map, "patch", in: path, parent: node) { r, n, p in extent(n, p, &r, positive: true) }
        let stride = reader.optional(map, "stride", in: path) { r, n, p in extent(n, p, &r, positive: true) }
        var minInputs = 0.0, minTargets = 0.0
        if let validity = map["min_valid_fraction"] {
            let key = reader.join(path, "min_valid_fraction")
            if case .scalar = validity {
                if let value = fraction(validity, key, &reader) { (minInputs, minTargets) = (value, value) }
            } else if let groups = reader.mapping(validity, key: key, allowed: ["inputs", "targets"]) {
                minInputs = reader.optional(groups, "inputs", in: key) { r, n, p in fraction(n, p, &r) } ?? 0
                minTargets = reader.optional(groups, "targets", in: key) { r, n, p in fraction(n, p, &r) } ?? 0
            }
        }
        let mask = reader.optional(map, "mask", in: path) { $0.string($1, $2) }
        let split = reader.required(map, "split", in: path, parent: node) { r, n, p in splitSection(n, p, &r) }
        let seed = reader.optional(map, "seed", in: path) { $0.integer($1, $2) } ?? 0
        let normalize = reader.optional(map, "normalize", in: path) { r, n, p in
            r.choice(n, p, SamplingSection.Normalization.allCases.map(\.rawValue)).flatMap(SamplingSection.Normalization.init)
        } ?? .standardize
        let apply = reader.optional(map, "apply_normalization", in: path) { $0.boolean($1, $2) } ?? false
        let format = reader.optional(map, "format", in: path) { r, n, p in
            r.choice(n, p, SamplingSection.Format.allCases.map(\.rawValue)).flatMap(SamplingSection.Format.init)
        } ?? .zarr
        let shardSize = reader.optional(map, "shard_size", in: path) { $0.integer($1, $2) } ?? 256
        if shardSize < 1 { reader.error(reader.join(path, "shard_size"), "must be at least 1, got \(shardSize)", map["shard_size"]) }
        let output = reader.optional(map, "output", in: path) { $0.string($1, $2) }.map {
            $0.hasPrefix("/") || $0.contains("://") ? $0 : directory.appendingPathComponent($0).standardizedFileURL.path
        }
        if seed < 0 { reader.error(reader.join(path, "seed"), "must not be negative, got \(seed)", map["seed"]) }
        guard let inputs, let patch, let split, shardSize >= 1, seed >= 0 else { return nil }
        return SamplingSection(inputs: inputs, targets: targets, patch: patch, stride: stride ?? patch, minValidInputs: minInputs,
                               minValidTargets: minTargets, mask: mask, split: split, seed: UInt64(seed), normalize: normalize,
                               applyNormalization: apply, format: format, shardSize: shardSize, output: output)
    }

    private static func splitSection(_ node: Node, _ path: String, _ reader: inout YAMLReader) -> SamplingSection.Split? {
        guard let map = reader.mapping(node, key: path, allowed: ["method", "block", "fractions", "buffer"]) else { return nil }
        let method = reader.optional(map, "method", in: path) { r, n, p in
            r.choice(n, p, SamplingSection.SplitMethod.allCases.map(\.rawValue)).flatMap(SamplingSection.SplitMethod.init)
        } ?? .blocks
        let block = reader.optional(map, "block", in: path) { r, n, p in extent(n, p, &r, positive: true) }
        if method != .random && block == nil {
            reader.error(reader.join(path, "block"), "split.method '\(method.rawValue)' needs a block size, e.g. block: {time: 30, y: 256, x: 256}", node)
        }
        let buffer = reader.optional(map, "buffer", in: path) { r, n, p in extent(n, p, &r, positive: false) } ?? .init(time: 0, y: 0, x: 0)
        var fractions = (train: 0.7, val: 0.15, test: 0.15)
        if let node = map["fractions"] {
            let key = reader.join(path, "fractions")
            if let f = reader.mapping(node, key: key, allowed: ["train", "val", "test"]) {
                fractions = (reader.optional(f, "train", in: key) { r, n, p in fraction(n, p, &r) } ?? 0,
                             reader.optional(f, "val", in: key) { r, n, p in fraction(n, p, &r) } ?? 0,
                             reader.optional(f, "test", in: key) { r, n, p in fraction(n, p, &r) } ?? 0)
                let sum = fractions.train + fractions.val + fractions.test
                if abs(sum - 1) > 1e-9 {
                    reader.error(key, "train + val + test must be 1, got \(fractions.train) + \(fractions.val) + \(fractions.test) = \(sum)", node)
                }
            }
        }
        if method != .random && block == nil { return nil }
        return SamplingSection.Split(method: method, block: block, train: fractions.train, val: fractions.val, test: fractions.test,
                                     buffer: buffer)
    }

    private static func extent(_ node: Node, _ path: String, _ reader: inout YAMLReader, positive: Bool) -> SamplingSection.Extent? {
        guard let map = reader.mapping(node, key: path, allowed: ["time", "y", "x"]) else { return nil }
        var values: [Int] = []
        for axis in ["time", "y", "x"] {
            let value = reader.optional(map, axis, in: path) { $0.integer($1, $2) } ?? (positive ? 1 : 0)
            if value < (positive ? 1 : 0) {
                reader.error(reader.join(path, axis), "must be \(positive ? "at least 1" : "0 or more"), got \(value)", map[axis])
                return nil
            }
            values.append(value)
        }
        return SamplingSection.Extent(time: values[0], y: values[1], x: values[2])
    }

    private static func fraction(_ node: Node, _ path: String, _ reader: inout YAMLReader) -> Double? {
        guard let value = reader.number(node, path) else { return nil }
        guard (0...1).contains(value) else {
            reader.error(path, "must lie between 0 and 1, got \(value)", node)
            return nil
        }
        return value
    }
}
