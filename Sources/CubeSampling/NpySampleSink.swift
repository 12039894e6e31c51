import CubeCore
import Foundation

/// One `.npy` file per split and variable (`SPLIT/VAR.npy`, float32 `(sample, time, y, x)`) plus
/// `SPLIT/origins.npy` (int64 `(sample, 3)`: each window's time, y, x origin). Values are appended
/// as samples come; the header, padded to a fixed length, is rewritten with the count at the end.
struct NpySampleSink: SampleSink {
    private let folder: URL
    private let names: [String]
    private let patch: SamplingShape
    private var handles: [FileHandle] = []
    private var origins: [Int64] = []
    private var count = 0
    private(set) var files: [String] = []
    private let split: SampleSplit

    init(output: URL, split: SampleSplit, names: [String], patch: SamplingShape) throws {
        folder = output.appendingPathComponent(split.rawValue)
        self.names = names
        self.patch = patch
        self.split = split
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        for name in names {
            let url = folder.appendingPathComponent("\(name).npy")
            FileManager.default.createFile(atPath: url.path, contents: Data(header(count: 0)))
            guard let handle = try? FileHandle(forWritingTo: url) else {
                throw CubeError(.io, "cannot write '\(url.path)'", context: ["path": url.path])
            }
            try handle.seekToEnd()
            handles.append(handle)
            files.append("\(split.rawValue)/\(name).npy")
        }
    }

    private func header(count: Int) -> [UInt8] {
        NpyFormat.header(descr: "<f4", shape: [count, patch.time, patch.y, patch.x], length: 128)
    }

    mutating func append(id: String, origin: [Int], values: [[Float]], metadata: String) throws {
        for (v, handle) in handles.enumerated() {
            let bytes = littleEndianBytes(values[v])
            try handle.write(contentsOf: bytes)
        }
        origins += origin.map(Int64.init)
        count += 1
    }

    mutating func finish() throws {
        for handle in handles {
            try handle.seek(toOffset: 0)
            try handle.write(contentsOf: header(count: count))
            try handle.close()
        }
        var bytes = NpyFormat.header(descr: "<i8", shape: [count, 3], length: 128)
        for o in origins { withUnsafeBytes(of: o.littleEndian) { bytes.append(contentsOf: $0) } }
        try writeFile(bytes, to: folder.appendingPathComponent("origins.npy"))
        files.append("\(split.rawValue)/origins.npy")
        files.sort()
    }
}

/// WebDataset tar shards (`SPLIT/SPLIT-000000.tar`, `shard_size` samples each): per sample
/// `KEY.VAR.npy` for every variable and `KEY.json` (its `samples.jsonl` line), in sample order.
struct WebDatasetSampleSink: SampleSink {
    private let folder: URL
    private let names: [String]
    private let patch: SamplingShape
    private let shardSize: Int
    private let split: SampleSplit
    private var tar = TarWriter()
    private var inShard = 0
    private var shard = 0
    private(set) var files: [String] = []

    init(output: URL, split: SampleSplit, names: [String], patch: SamplingShape, shardSize: Int) {
        folder = output.appendingPathComponent(split.rawValue)
        self.names = names
        self.patch = patch
        self.shardSize = shardSize
        self.split = split
    }

    mutating func append(id: String, origin: [Int], values: [[Float]], metadata: String) throws {
        for (v, name) in names.enumerated() {
            tar.add(name: "\(id).\(name).npy", NpyFormat.file(values[v], shape: [patch.time, patch.y, patch.x]))
        }
        tar.add(name: "\(id).json", Array((metadata + "\n").utf8))
        inShard += 1
        if inShard == shardSize { try flush() }
    }

    private mutating func flush() throws {
        guard inShard > 0 else { return }
        let name = String(format: "%@-%06d.tar", split.rawValue, shard)
        try writeFile(tar.finish(), to: folder.appendingPathComponent(name))
        files.append("\(split.rawValue)/\(name)")
        tar = TarWriter()
        inShard = 0
        shard += 1
    }

    mutating func finish() throws { try flush() }
}

/// A POSIX ustar archive in memory, with fixed owner, mode and time so the bytes depend only on
/// the content.
struct TarWriter {
    private var bytes: [UInt8] = []

    /// Adds a regular file.
    mutating func add(name: String, _ content: [UInt8]) {
        var header = [UInt8](repeating: 0, count: 512)
        func put(_ text: String, at offset: Int, width: Int) {
            for (k, byte) in text.utf8.prefix(width).enumerated() { header[offset + k] = byte }
        }
        func octal(_ value: Int, width: Int) -> String {
            let digits = String(value, radix: 8)
            return String(repeating: "0", count: max(0, width - 1 - digits.count)) + digits
        }
        put(name, at: 0, width: 100)
        put(octal(0o644, width: 8), at: 100, width: 7)
        put(octal(0, width: 8), at: 108, width: 7)
        put(octal(0, width: 8), at: 116, width: 7)
        put(octal(content.count, width: 12), at: 124, width: 11)
        put(octal(0, width: 12), at: 136, width: 11)
        put("        ", at: 148, width: 8)
        header[156] = UInt8(ascii: "0")
        put("ustar", at: 257, width: 6)
        put("00", at: 263, width: 2)
        let sum = header.reduce(0) { $0 + Int($1) }
        put(octal(sum, width: 7) + "\0", at: 148, width: 7)
        header[155] = UInt8(ascii: " ")
        bytes += header
        bytes += content
        bytes += [UInt8](repeating: 0, count: (512 - content.count % 512) % 512)
    }

    /// The archive with its end marker.
    mutating func finish() -> [UInt8] { bytes + [UInt8](repeating: 0, count: 1024) }
}
