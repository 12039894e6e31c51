import CubeCore
import Foundation
import Yams

extension RecipeBuilder {
    /// The source keys of `store: stac`.
    static let stacKeys = ["url", "collections", "query", "filter", "ids", "bbox", "datetime", "limit", "method", "assets", "format",
                           "token_env", "token_file", "order", "order_timeout"]

    /// Reads the `store: stac` keys into `section.stac`; for other stores, reports any of them.
    mutating func stacKeys(_ map: [String: Node], _ path: String, node: Node, into section: inout SourceSection) {
        guard section.store == "stac" else {
            for key in Self.stacKeys where map[key] != nil {
                reader.error("\(path).\(key)", "'\(key)' is a key of store: stac sources, not of store: \(section.store)", map[key])
            }
            for variable in section.variables where variable.asset != nil {
                reader.error("\(variable.keyPath).asset", "'asset' is a key of store: stac sources, not of store: \(section.store)", map["variables"])
            }
            return
        }
        if map["paths"] != nil {
            reader.error("\(path).paths", "a store: stac source finds its files by searching 'url'; remove paths", map["paths"])
        }
        guard let url = reader.required(map, "url", in: path, parent: node, { $0.string($1, $2) }) else { return }
        var stac = STACSourceSection(url: url.contains("://") ? url : resolve(url))
        stac.collections = reader.optional(map, "collections", in: path) { $0.strings($1, $2) } ?? []
        stac.ids = reader.optional(map, "ids", in: path) { $0.strings($1, $2) } ?? []
        stac.queryJSON = map["query"].flatMap { jsonObject($0, "\(path).query") }
        stac.filterJSON = map["filter"].flatMap { jsonObject($0, "\(path).filter") }
        stac.bbox = reader.optional(map, "bbox", in: path) { $0.numbers($1, $2, count: 4) }
        if let bbox = stac.bbox, !(-90...90).contains(bbox[1]) || !(-90...90).contains(bbox[3]) || bbox[1] > bbox[3] {
            reader.error("\(path).bbox", "expected west, south, east, north in degrees (south ≤ north, both within ±90)", map["bbox"])
        }
        stac.datetime = reader.optional(map, "datetime", in: path) { $0.string($1, $2) }
        if let datetime = stac.datetime {
            let parts = datetime.split(separator: "/", omittingEmptySubsequences: false).map(String.init)
            let valid = (1...2).contains(parts.count) && parts.allSatisfy { $0 == ".." || (parts.count == 2 && $0.isEmpty) || CalendarDate(parsing: $0) != nil }
            if !valid { reader.error("\(path).datetime", "'\(datetime)' is not an RFC 3339 date-time or interval (START/END, '..' open)", map["datetime"]) }
        }
        stac.limit = reader.optional(map, "limit", in: path) { $0.integer($1, $2) }
        if let limit = stac.limit, limit < 1 { reader.error("\(path).limit", "must be at least 1", map["limit"]) }
        stac.method = reader.optional(map, "method", in: path) { $0.choice($1, $2, ["GET", "POST"]) }
        stac.format = reader.optional(map, "format", in: path) { $0.choice($1, $2, ["geotiff", "netcdf", "grib", "zarr"]) }
        stac.tokenEnvironment = reader.optional(map, "token_env", in: path) { $0.string($1, $2) }
        stac.tokenFile = reader.optional(map, "token_file", in: path) { $0.string($1, $2) }.map(resolve)
        if stac.tokenEnvironment != nil, stac.tokenFile != nil {
            reader.error("\(path).token_file", "give either token_env or token_file, not both", map["token_file"])
        }
        stac.order = reader.optional(map, "order", in: path) { $0.boolean($1, $2) } ?? false
        stac.orderTimeout = reader.optional(map, "order_timeout", in: path) { $0.number($1, $2) } ?? 3600
        if stac.orderTimeout <= 0 { reader.error("\(path).order_timeout", "must be more than 0 seconds", map["order_timeout"]) }
        if let node = map["assets"], reader.mapping(node, key: "\(path).assets", allowed: []) != nil {
            guard case let .mapping(pairs) = node else { return }
            for (keyNode, value) in pairs {
                let key = keyNode.scalar?.string ?? ""
                guard let name = reader.string(value, "\(path).assets.\(key)") else { continue }
                stac.assets[key] = name
            }
        }
        for variable in section.variables {
            if let asset = variable.asset {
                if let other = stac.assets[asset], other != variable.sourceName {
                    reader.error("\(variable.keyPath).asset", "asset '\(asset)' already gives variable '\(other)' (assets)", map["variables"])
                }
                stac.assets[asset] = variable.sourceName
            }
        }
        let listed = Set(section.variables.map(\.sourceName))
        for (key, name) in stac.assets.sorted(by: { $0.key < $1.key }) where !listed.contains(name) {
            reader.error("\(path).assets.\(key)", "asset '\(key)' gives '\(name)', which variables does not list", map["assets"])
        }
        let given = Set(stac.assets.values)
        for variable in section.variables where !given.contains(variable.sourceName) {
            reader.error("\(variable.keyPath)", "no asset gives variable '\(variable.sourceName)': add it to assets ({KEY: \(variable.sourceName)}) or give it asset: KEY",
                         map["variables"])
        }
        section.stac = stac
    }

    /// A mapping written in YAML, as compact JSON text (keys sorted).
    private mutating func jsonObject(_ node: Node, _ path: String) -> String? {
        guard case .mapping = node else {
            reader.error(path, "expected a mapping (a JSON object), got \(reader.describe(node))", node)
            return nil
        }
        let value = Self.json(node)
        guard let data = try? JSONSerialization.data(withJSONObject: value, options: [.sortedKeys, .withoutEscapingSlashes]) else {
            reader.error(path, "cannot be written as JSON", node)
            return nil
        }
        return String(decoding: data, as: UTF8.self)
    }

    /// A YAML node as a JSON-serializable value: plain scalars typed as YAML 1.2's core schema does.
    private static func json(_ node: Node) -> Any {
        switch node {
        case let .scalar(scalar):
            guard scalar.style == .plain else { return scalar.string }
            let text = scalar.string
            if ["", "~", "null", "Null", "NULL"].contains(text) { return NSNull() }
            if ["true", "True", "TRUE"].contains(text) { return true }
            if ["false", "False", "FALSE"].contains(text) { return false }
            if let int = Int(text) { return int }
            if let double = Double(text), double.isFinite { return double }
            return text
        case let .mapping(mapping):
            var object: [String: Any] = [:]
            for (key, value) in mapping { object[key.scalar?.string ?? ""] = json(value) }
            return object
        case let .sequence(sequence):
            return sequence.map { json($0) }
        case .alias:
            return NSNull()
        }
    }
}
