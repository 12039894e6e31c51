import CubeCore
import Foundation
import Zarr

/// The STAC Collection (and its Item) against the cube: identity, `cube:dimensions` extents, steps
/// and time values, `cube:variables`, the bbox and interval against the ACDD attributes, and every
/// asset present where its href points.
struct STACAgreementCheck {
    let cube: CubeSnapshot
    let collectionURL: URL
    let files: CatalogFiles

    /// The Collection to compare: the one given (an error when missing), else `NAME.stac.json`
    /// beside `NAME.zarr` when it exists.
    static func locate(cube: URL, given: String?, files: CatalogFiles, into problems: inout [VerificationProblem]) async -> URL? {
        if let given {
            let url = given.contains("://") ? URL(string: given) ?? URL(fileURLWithPath: given) : URL(fileURLWithPath: given).standardizedFileURL
            guard await files.exists(url) else {
                problems.append(VerificationProblem(.error, .catalogue, "STAC Collection '\(given)' does not exist"))
                return nil
            }
            return url
        }
        let url = CatalogLayout(cube: cube).collection
        guard await files.exists(url) else {
            problems.append(VerificationProblem(.warning, .catalogue, "no STAC Collection beside the cube (\(url.lastPathComponent))"))
            return nil
        }
        return url
    }

    func run(into problems: inout [VerificationProblem]) async {
        func error(_ message: String) { problems.append(VerificationProblem(.error, .catalogue, message)) }
        let file = collectionURL.lastPathComponent
        guard let collection = await document(collectionURL, file, error) else { return }
        if collection["type"]?.stringValue != "Collection" { error("\(file) is not a STAC Collection (type is not 'Collection')") }
        if let id = cube.attributes["id"]?.stringValue, collection["id"]?.stringValue != id {
            error("\(file) has id '\(collection["id"]?.stringValue ?? "")', the cube's id attribute is '\(id)'")
        }
        await checkDimensions(collection["cube:dimensions"], in: file, error)
        checkVariables(collection["cube:variables"], in: file, error)
        checkExtent(collection, in: file, error)
        await checkAssets(collection, in: file, error)
        await checkItem(collection, error)
    }

    private func document(_ url: URL, _ file: String, _ error: (String) -> Void) async -> JSONValue? {
        guard let data = await files.read(url) else {
            error("\(file) cannot be read")
            return nil
        }
        do {
            return try JSONValue.parse(Array(data))
        } catch let parseError {
            error("\(file) is not valid JSON: \(parseError)")
            return nil
        }
    }

    private func checkDimensions(_ dimensions: JSONValue?, in file: String, _ error: (String) -> Void) async {
        guard let dimensions = dimensions?.objectMembers else {
            error("\(file) has no cube:dimensions")
            return
        }
        for (name, dimension) in dimensions {
            guard let node = cube.arrays[name], node.dimensions == [name], let values = await cube.values(name), let first = values.first else {
                error("\(file): cube:dimensions names '\(name)', which is not a dimension coordinate of the cube")
                continue
            }
            if dimension["type"]?.stringValue == "temporal" {
                checkTime(dimension, node: node, values: values, file: file, error)
                continue
            }
            if dimension["axis"]?.stringValue == "z" || dimension["type"]?.stringValue == "ensemble" {
                checkVertical(dimension, name: name, values: values, file: file, error)
                continue
            }
            let step = values.count > 1 ? values[1] - first : (dimension["step"]?.doubleValue ?? 0)
            var edges = [first - step / 2, values[values.count - 1] + step / 2]
            if let boundsName = node.attributes["bounds"]?.stringValue, let bounds = await cube.values(boundsName), !bounds.isEmpty {
                edges = [bounds.min()!, bounds.max()!]
            }
            edges.sort()
            let extent = dimension["extent"]?.arrayValue?.compactMap(\.doubleValue) ?? []
            if extent.count != 2 || !close(extent[0], edges[0], scale: step) || !close(extent[1], edges[1], scale: step) {
                error("\(file): cube:dimensions.\(name).extent \(extent) differs from the cube's pixel edges \(edges)")
            }
            if let stated = dimension["step"]?.doubleValue, !close(stated, step, scale: step) {
                error("\(file): cube:dimensions.\(name).step \(stated) differs from the cube's \(step)")
            }
        }
    }

    /// A vertical or member dimension lists its levels or members: they and their extent must be
    /// the cube's.
    private func checkVertical(_ dimension: JSONValue, name: String, values: [Double], file: String, _ error: (String) -> Void) {
        let stated = dimension["values"]?.arrayValue?.compactMap(\.doubleValue) ?? []
        if stated.count != values.count || zip(stated, values).contains(where: { abs($0 - $1) > 1e-9 * max(1, abs($1)) }) {
            error("\(file): cube:dimensions.\(name).values \(stated) differ from the cube's \(values)")
        }
        let extent = dimension["extent"]?.arrayValue?.compactMap(\.doubleValue) ?? []
        if extent != [values.min()!, values.max()!] {
            error("\(file): cube:dimensions.\(name).extent \(extent) differs from the cube's levels \(values.min()!) … \(values.max()!)")
        }
    }

    private func checkTime(_ dimension: JSONValue, node: CubeSnapshot.ArrayNode, values: [Double], file: String, _ error: (String) -> Void) {
        guard let units = node.attributes["units"]?.stringValue,
            let calendar = CFCalendar(cfName: node.attributes["calendar"]?.stringValue ?? "standard"),
            let decoder = try? CFTimeUnits(parsing: units, calendar: calendar)
        else { return }
        let expected = values.map { decoder.date($0).iso8601(alwaysTime: true) }
        let stated = dimension["values"]?.arrayValue?.compactMap(\.stringValue)
        if let stated, stated != expected {
            error("\(file): cube:dimensions.\(node.name).values (\(stated.count)) differ from the cube's \(expected.count) time labels")
        }
    }

    private func checkVariables(_ variables: JSONValue?, in file: String, _ error: (String) -> Void) {
        let stated = Set((variables?.objectMembers ?? []).filter { $0.1["type"]?.stringValue == "data" }.map(\.0))
        let actual = Set(cube.dataVariables.map(\.name))
        for name in actual.subtracting(stated).sorted() { error("\(file): data variable '\(name)' is missing from cube:variables") }
        for name in stated.subtracting(actual).sorted() { error("\(file): cube:variables lists '\(name)', which the cube does not have") }
    }

    private func checkExtent(_ collection: JSONValue, in file: String, _ error: (String) -> Void) {
        let bbox = collection["extent"]?["spatial"]?["bbox"]?.arrayValue?.first?.arrayValue?.compactMap(\.doubleValue) ?? []
        let attributes = ["geospatial_lon_min", "geospatial_lat_min", "geospatial_lon_max", "geospatial_lat_max"].map {
            cube.attributes[$0]?.doubleValue
        }
        if attributes.allSatisfy({ $0 != nil }) {
            let box = GeographicBox(west: attributes[0]!, south: attributes[1]!, east: attributes[2]!, north: attributes[3]!)
            let expected = [box.west, box.south, box.east, box.north]
            if bbox.count != 4 || zip(bbox, expected).contains(where: { abs($0 - $1) > 1e-6 }) {
                error("\(file): extent.spatial.bbox \(bbox) differs from the cube's geospatial_* attributes \(expected)")
            }
        }
        let interval = collection["extent"]?["temporal"]?["interval"]?.arrayValue?.first?.arrayValue?.compactMap(\.stringValue) ?? []
        if let start = cube.attributes["time_coverage_start"]?.stringValue, let end = cube.attributes["time_coverage_end"]?.stringValue,
            interval != [start, end] {
            error("\(file): extent.temporal.interval \(interval) differs from the cube's time_coverage_start/end [\(start), \(end)]")
        }
    }

    private func checkAssets(_ document: JSONValue, in file: String, _ error: (String) -> Void) async {
        let folder = collectionURL.deletingLastPathComponent()
        for (key, asset) in document["assets"]?.objectMembers ?? [] {
            guard let href = asset["href"]?.stringValue else {
                error("\(file): asset '\(key)' has no href")
                continue
            }
            // Absolute URLs on another service are not fetched; ours (same scheme and host) are.
            if href.contains("://"), URL(string: href)?.scheme != collectionURL.scheme || URL(string: href)?.host != collectionURL.host {
                continue
            }
            let target = CatalogFiles.resolve(href, against: folder)
            if !(await files.exists(target)) {
                error("\(file): asset '\(key)' points to '\(href)', which does not exist")
            }
        }
    }

    private func checkItem(_ collection: JSONValue, _ error: (String) -> Void) async {
        let links = collection["links"]?.arrayValue ?? []
        guard let href = links.first(where: { $0["rel"]?.stringValue == "item" })?["href"]?.stringValue else { return }
        let folder = collectionURL.deletingLastPathComponent()
        let url = CatalogFiles.resolve(href, against: folder)
        guard let item = await document(url, url.lastPathComponent, error) else { return }
        let file = url.lastPathComponent
        if item["id"]?.stringValue != collection["id"]?.stringValue { error("\(file): item id differs from the Collection's") }
        guard let zarr = item["assets"]?["zarr"]?["href"]?.stringValue else {
            error("\(file): the Item has no 'zarr' asset")
            return
        }
        let target = CatalogFiles.resolve(zarr, against: folder)
        if CatalogLayout.text(target).trimmingSuffix("/") != CatalogLayout.text(cube.root).trimmingSuffix("/") {
            error("\(file): the zarr asset points to '\(zarr)', not to this cube")
        }
        await checkAssets(item, in: file, error)
        let itemBox = item["bbox"]?.arrayValue?.compactMap(\.doubleValue) ?? []
        let collectionBox = collection["extent"]?["spatial"]?["bbox"]?.arrayValue?.first?.arrayValue?.compactMap(\.doubleValue) ?? []
        if itemBox != collectionBox { error("\(file): the Item's bbox \(itemBox) differs from the Collection's \(collectionBox)") }
    }

    private func close(_ a: Double, _ b: Double, scale: Double) -> Bool { abs(a - b) <= max(1e-9, abs(scale) * 1e-6) }
}

extension String {
    /// The text without one trailing `suffix`.
    fileprivate func trimmingSuffix(_ suffix: String) -> String { hasSuffix(suffix) ? String(dropLast(suffix.count)) : self }
}
