import CubeStorage
public import Foundation
public import Zarr

/// Reads a variable of a written Zarr v2 cube back into memory as doubles (C order), applying
/// the fill value (→ NaN) and `scale_factor`/`add_offset`, as xarray would.
public struct CubeReader {
    /// The cube's root folder.
    public let root: URL
    private let storage: FileSystemStorage

    /// Opens the cube at `path`.
    public init(path: String) {
        root = URL(fileURLWithPath: path)
        storage = FileSystemStorage(root: root)
    }

    /// Parses a metadata document (`.zmetadata`, `tas/.zattrs`, …).
    public func document(_ key: String) async throws -> JSONValue {
        guard let bytes = try await storage.get(StoreKey(key)) else { throw ZarrError.invalidMetadata("missing \(key)") }
        return try JSONValue.parse(bytes)
    }

    /// The whole array `name`, decoded, with its shape.
    public func read(_ name: String) async throws -> (shape: [Int], values: [Double]) {
        let reader = try await ZarrV2ArrayReader(storage: storage, name: name)
        let meta = reader.metadata
        let attributes = try await document(name + "/.zattrs")
        let scale = attributes["scale_factor"]?.doubleValue ?? 1, offset = attributes["add_offset"]?.doubleValue ?? 0
        let fill = meta.fillValue
        let shape = meta.shape
        var values = [Double](repeating: .nan, count: shape.reduce(1, *))
        let counts = meta.chunkCounts
        let chunkShape = meta.chunks
        var index = [Int](repeating: 0, count: shape.count)
        let totalChunks = counts.reduce(1, *)
        for flat in 0..<max(1, totalChunks) {
            var rest = flat
            for d in stride(from: shape.count - 1, through: 0, by: -1) {
                index[d] = rest % counts[d]
                rest /= counts[d]
            }
            guard let bytes = try await reader.chunk(index) else { continue }
            let chunkValues = decode(bytes, meta.dataType)
            // Copy the chunk's valid part into place.
            let cells = chunkShape.reduce(1, *)
            for k in 0..<cells {
                var r = k, target = 0, step = 1, inside = true
                var position = [Int](repeating: 0, count: shape.count)
                for d in stride(from: shape.count - 1, through: 0, by: -1) {
                    position[d] = index[d] * chunkShape[d] + r % chunkShape[d]
                    r /= chunkShape[d]
                    if position[d] >= shape[d] { inside = false }
                }
                guard inside else { continue }
                for d in stride(from: shape.count - 1, through: 0, by: -1) {
                    target += position[d] * step
                    step *= shape[d]
                }
                let raw = chunkValues[k]
                let isFill: Bool
                switch fill {
                case .none: isFill = false
                case .nan: isFill = raw.isNaN
                default: isFill = raw == fill.doubleValue
                }
                values[target] = isFill ? .nan : raw * scale + offset
            }
        }
        return (shape, values)
    }

    private func decode(_ bytes: [UInt8], _ type: ZarrDataType) -> [Double] {
        bytes.withUnsafeBytes { raw in
            switch type {
            case .float32: return raw.bindMemory(to: Float.self).map(Double.init)
            case .float64: return Array(raw.bindMemory(to: Double.self))
            case .int8: return raw.bindMemory(to: Int8.self).map(Double.init)
            case .int16: return raw.bindMemory(to: Int16.self).map(Double.init)
            case .int32: return raw.bindMemory(to: Int32.self).map(Double.init)
            case .int64: return raw.bindMemory(to: Int64.self).map(Double.init)
            case .uint8: return raw.bindMemory(to: UInt8.self).map(Double.init)
            case .uint16: return raw.bindMemory(to: UInt16.self).map(Double.init)
            case .uint32: return raw.bindMemory(to: UInt32.self).map(Double.init)
            case .uint64: return raw.bindMemory(to: UInt64.self).map(Double.init)
            }
        }
    }

    /// Every chunk file (key → bytes), for byte-for-byte comparisons.
    public func chunkFiles() async throws -> [String: [UInt8]] {
        var result: [String: [UInt8]] = [:]
        for key in try await storage.list(prefix: "") where !key.rawValue.split(separator: "/").last!.hasPrefix(".") {
            result[key.rawValue] = try await storage.get(key)
        }
        return result
    }
}
