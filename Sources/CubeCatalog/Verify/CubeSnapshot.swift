import CubeStorage
import Foundation
import Zarr

/// A Zarr v2 cube as read from disk for verification: its keys, documents and arrays.
struct CubeSnapshot {
    /// One array: its metadata (or why it could not be read) and attributes.
    struct ArrayNode {
        var name: String
        var zarray: JSONValue
        var metadata: ZarrV2ArrayMetadata?
        var metadataError: String?
        var attributes: JSONValue
        var dimensions: [String]? { attributes["_ARRAY_DIMENSIONS"]?.arrayValue?.compactMap(\.stringValue) }
    }

    let root: URL
    let storage: FileSystemStorage
    let keys: Set<String>
    let attributes: JSONValue
    let consolidated: JSONValue?
    let arrays: [String: ArrayNode]
    let documentErrors: [String]

    /// Reads every metadata document below `root`.
    static func load(_ root: URL) async throws -> CubeSnapshot {
        let storage = FileSystemStorage(root: root)
        let keys = Set(try await storage.list(prefix: "").map(\.rawValue))
        var errors: [String] = []
        func document(_ key: String) async -> JSONValue? {
            guard keys.contains(key) else { return nil }
            do {
                guard let bytes = try await storage.get(StoreKey(key)) else { return nil }
                return try JSONValue.parse(bytes)
            } catch {
                errors.append("\(key) is not valid JSON: \(error)")
                return nil
            }
        }
        let attributes = await document(".zattrs") ?? .object([])
        let consolidated = await document(".zmetadata")
        var arrays: [String: ArrayNode] = [:]
        for key in keys where key.hasSuffix("/.zarray") {
            let name = String(key.dropLast("/.zarray".count))
            guard let zarray = await document(key) else { continue }
            var node = ArrayNode(name: name, zarray: zarray, metadata: nil, metadataError: nil,
                                 attributes: await document("\(name)/.zattrs") ?? .object([]))
            do {
                node.metadata = try ZarrV2ArrayMetadata(json: zarray)
            } catch {
                node.metadataError = "\(error)"
            }
            arrays[name] = node
        }
        return CubeSnapshot(root: root, storage: storage, keys: keys, attributes: attributes, consolidated: consolidated,
                            arrays: arrays, documentErrors: errors)
    }

    /// The arrays that are data variables: not dimension coordinates, not named by another's
    /// `bounds` or `grid_mapping`, not listed in the global `coordinates`.
    var dataVariables: [ArrayNode] {
        var auxiliary = Set(attributes["coordinates"]?.stringValue?.split(separator: " ").map(String.init) ?? [])
        for node in arrays.values {
            if let bounds = node.attributes["bounds"]?.stringValue { auxiliary.insert(bounds) }
            if let mapping = node.attributes["grid_mapping"]?.stringValue { auxiliary.insert(mapping) }
        }
        return arrays.values.filter { node in
            guard !auxiliary.contains(node.name) else { return false }
            if let dims = node.dimensions, dims == [node.name] { return false }
            return true
        }.sorted { $0.name < $1.name }
    }

    /// The values of a small array as `Double`, or `nil` when it cannot be read.
    func values(_ name: String) async -> [Double]? {
        guard arrays[name]?.metadata != nil else { return nil }
        do {
            return try await ZarrV2ArrayReader(storage: storage, name: name).allValues()
        } catch {
            return nil
        }
    }
}
