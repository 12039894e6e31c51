import CubeStorage
import Foundation
import Zarr

/// A Zarr cube (v2 or v3) as read from disk for verification: its keys, documents and arrays.
struct CubeSnapshot {
    /// One array: its metadata (or why it could not be read) and attributes.
    struct ArrayNode {
        var name: String
        /// The array's metadata document as stored (`.zarray` or `zarr.json`).
        var document: JSONValue
        /// Its key (`tas/.zarray`, `tas/zarr.json`).
        var documentKey: String
        var metadata: ZarrArraySpec?
        var metadataError: String?
        /// The attributes as stored (`.zattrs`, or `zarr.json`'s `attributes`).
        var attributes: JSONValue
        /// v2's `_ARRAY_DIMENSIONS` attribute, or v3's `dimension_names`.
        var dimensions: [String]?
    }

    /// The cube's location: a file URL, or `s3://bucket/…` and the like.
    let root: URL
    let storage: any Storage
    let keys: Set<String>
    /// The format found (`nil`: neither `.zgroup` nor a group `zarr.json`).
    let format: ZarrFormat?
    /// The root group document as stored (`.zgroup` or `zarr.json`).
    let group: JSONValue?
    let attributes: JSONValue
    /// `.zmetadata` (v2), or the root `zarr.json`'s `consolidated_metadata` (v3).
    let consolidated: JSONValue?
    let arrays: [String: ArrayNode]
    let documentErrors: [String]

    /// Reads every metadata document of the cube in `storage` (located at `root`).
    static func load(_ root: URL, storage: any Storage) async throws -> CubeSnapshot {
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
        var arrays: [String: ArrayNode] = [:]
        let format: ZarrFormat?, group: JSONValue?, attributes: JSONValue, consolidated: JSONValue?
        if keys.contains(".zgroup") {
            format = .v2
            group = await document(".zgroup")
            attributes = await document(".zattrs") ?? .object([])
            consolidated = await document(".zmetadata")
            for key in keys where key.hasSuffix("/.zarray") {
                let name = String(key.dropLast("/.zarray".count))
                guard let zarray = await document(key) else { continue }
                let arrayAttributes = await document("\(name)/.zattrs") ?? .object([])
                var node = ArrayNode(name: name, document: zarray, documentKey: key, metadata: nil, metadataError: nil,
                                     attributes: arrayAttributes,
                                     dimensions: arrayAttributes["_ARRAY_DIMENSIONS"]?.arrayValue?.compactMap(\.stringValue))
                do {
                    node.metadata = try ZarrArraySpec(name: name, v2Metadata: zarray, attributes: arrayAttributes)
                } catch {
                    node.metadataError = "\(error)"
                }
                arrays[name] = node
            }
        } else if let root = await document("zarr.json"), root["node_type"]?.stringValue == "group" {
            format = .v3
            group = root
            attributes = root["attributes"] ?? .object([])
            consolidated = root["consolidated_metadata"]
            for key in keys where key.hasSuffix("/zarr.json") {
                let name = String(key.dropLast("/zarr.json".count))
                guard let json = await document(key), json["node_type"]?.stringValue == "array" else { continue }
                var node = ArrayNode(name: name, document: json, documentKey: key, metadata: nil, metadataError: nil,
                                     attributes: json["attributes"] ?? .object([]),
                                     dimensions: json["dimension_names"]?.arrayValue?.compactMap(\.stringValue))
                do {
                    node.metadata = try ZarrArraySpec(name: name, v3Document: json)
                } catch {
                    node.metadataError = "\(error)"
                }
                arrays[name] = node
            }
        } else {
            (format, group, attributes, consolidated) = (nil, nil, .object([]), nil)
        }
        return CubeSnapshot(root: root, storage: storage, keys: keys, format: format, group: group, attributes: attributes,
                            consolidated: consolidated, arrays: arrays, documentErrors: errors)
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
            return try await ZarrArrayReader(storage: storage, name: name).allValues()
        } catch {
            return nil
        }
    }
}
