import CubeStorage
public import Foundation
public import Zarr

/// Reads a variable of a written Zarr (v2 or v3) cube back into memory as doubles (C order), applying
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

    /// Parses a metadata document (`.zmetadata`, `tas/.zattrs`, `tas/zarr.json`, …).
    public func document(_ key: String) async throws -> JSONValue {
        guard let bytes = try await storage.get(StoreKey(key)) else { throw ZarrError.invalidMetadata("missing \(key)") }
        return try JSONValue.parse(bytes)
    }

    /// The whole array `name`, decoded, with its shape.
    public func read(_ name: String) async throws -> (shape: [Int], values: [Double]) {
        let reader = try await ZarrArrayReader(storage: storage, name: name)
        let attributes = reader.spec.attributes
        let scale = attributes["scale_factor"]?.doubleValue ?? 1, offset = attributes["add_offset"]?.doubleValue ?? 0
        let fill = reader.spec.fillValue
        let values = try await reader.allValues().map { raw -> Double in
            let isFill: Bool
            switch fill {
            case .none: isFill = false
            case .nan: isFill = raw.isNaN
            default: isFill = raw == fill.doubleValue
            }
            return isFill ? .nan : raw * scale + offset
        }
        return (reader.spec.shape, values)
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
