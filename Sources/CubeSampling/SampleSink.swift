import CubeCore
import Foundation

/// Where one split's samples go, in the order they are accepted.
protocol SampleSink {
    /// Adds one sample: its id, its window origin (time, y, x) in the cube and, per variable,
    /// `time × y × x` values.
    mutating func append(id: String, origin: [Int], values: [[Float]], metadata: String) throws
    /// Writes what is still buffered and the documents that need the final count.
    mutating func finish() throws
    /// The files written, relative to the output folder.
    var files: [String] { get }
}

/// Writes `bytes` to `path` (creating folders), naming the path when it fails.
func writeFile(_ bytes: [UInt8], to path: URL) throws {
    do {
        try FileManager.default.createDirectory(at: path.deletingLastPathComponent(), withIntermediateDirectories: true)
        try Data(bytes).write(to: path)
    } catch {
        throw CubeError(.io, "cannot write '\(path.path)': \(error.localizedDescription)", context: ["path": path.path])
    }
}

/// The bytes of float32 values, little-endian (the byte order of every platform CubeGen builds for).
func littleEndianBytes(_ values: [Float]) -> [UInt8] {
    values.withUnsafeBytes { Array($0) }
}

/// The `.npy` (NumPy format 1.0) encoding of little-endian float32 or int64 arrays.
enum NpyFormat {
    /// The header of an array of `shape`, padded to `length` bytes (a multiple of 64).
    static func header(descr: String, shape: [Int], length: Int = 128) -> [UInt8] {
        let dims = shape.count == 1 ? "(\(shape[0]),)" : "(" + shape.map(String.init).joined(separator: ", ") + ")"
        var text = "{'descr': '\(descr)', 'fortran_order': False, 'shape': \(dims), }"
        let used = 10 + text.utf8.count + 1
        text += String(repeating: " ", count: max(0, length - used)) + "\n"
        let size = UInt16(text.utf8.count)
        return [0x93] + Array("NUMPY".utf8) + [1, 0, UInt8(size & 0xFF), UInt8(size >> 8)] + Array(text.utf8)
    }

    /// A whole `.npy` file of float32 values.
    static func file(_ values: [Float], shape: [Int]) -> [UInt8] {
        var bytes = header(descr: "<f4", shape: shape, length: 64 * ((10 + 60 + 12 * shape.count) / 64 + 1))
        bytes += littleEndianBytes(values)
        return bytes
    }
}
