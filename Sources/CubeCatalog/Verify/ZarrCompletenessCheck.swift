import CubeStorage
import Zarr

/// Zarr completeness: a v2 or v3 group, consolidated metadata equal to the documents on disk,
/// every array's metadata readable, and every chunk present (or recorded as empty in
/// `lineage.json`); in a sharded array every shard's index is read (its checksum checked) and
/// each inner chunk it leaves out must be recorded as empty.
struct ZarrCompletenessCheck {
    let cube: CubeSnapshot
    let lineage: Lineage?
    let decodeChunks: Bool

    func run(into problems: inout [VerificationProblem]) async {
        func error(_ message: String) { problems.append(VerificationProblem(.error, .zarr, message)) }
        guard let format = cube.format else {
            error(cube.keys.contains("zarr.json") ? "zarr.json is not a Zarr v3 group" : "neither .zgroup nor zarr.json: not a Zarr group")
            return
        }
        for message in cube.documentErrors { error(message) }
        switch format {
        case .v2: checkConsolidatedV2(error)
        case .v3: checkConsolidatedV3(error)
        }
        for node in cube.arrays.values.sorted(by: { $0.name < $1.name }) {
            if let message = node.metadataError { error("\(node.documentKey): \(message)") }
        }
        await checkChunks(format, into: &problems)
        if decodeChunks { await checkDecoding(format, into: &problems) }
    }

    private func checkConsolidatedV2(_ error: (String) -> Void) {
        guard let consolidated = cube.consolidated else {
            error("no consolidated metadata (.zmetadata): xarray.open_zarr warns and lists every key")
            return
        }
        guard let metadata = consolidated["metadata"]?.objectMembers else {
            error(".zmetadata has no 'metadata' object")
            return
        }
        var listed = Set<String>()
        for (key, document) in metadata {
            listed.insert(key)
            guard cube.keys.contains(key) else {
                error(".zmetadata lists '\(key)', which is not in the store")
                continue
            }
            if let onDisk = diskDocumentV2(key), onDisk != document {
                error(".zmetadata's copy of '\(key)' differs from the file in the store")
            }
        }
        for key in cube.keys.sorted() where isMetadataKeyV2(key) && key != ".zmetadata" && !listed.contains(key) {
            error("'\(key)' is not in the consolidated metadata (.zmetadata): consolidated readers do not see it")
        }
    }

    private func isMetadataKeyV2(_ key: String) -> Bool {
        let last = key.split(separator: "/").last.map(String.init) ?? key
        return [".zarray", ".zattrs", ".zgroup"].contains(last)
    }

    private func diskDocumentV2(_ key: String) -> JSONValue? {
        if key == ".zattrs" { return cube.attributes }
        if key.hasSuffix("/.zarray") { return cube.arrays[String(key.dropLast(8))]?.document }
        if key.hasSuffix("/.zattrs") { return cube.arrays[String(key.dropLast(8))]?.attributes }
        return nil
    }

    /// v3: the root `zarr.json` inlines every node's `zarr.json` as zarr-python 3 does.
    private func checkConsolidatedV3(_ error: (String) -> Void) {
        guard let consolidated = cube.consolidated, consolidated != .null else {
            error("no consolidated metadata in the root zarr.json: xarray.open_zarr warns and lists every key")
            return
        }
        guard consolidated["kind"]?.stringValue == "inline", consolidated["must_understand"] == .bool(false),
            let metadata = consolidated["metadata"]?.objectMembers
        else {
            error("the root zarr.json's consolidated_metadata is not {\"kind\": \"inline\", \"must_understand\": false, \"metadata\": {…}}")
            return
        }
        var listed = Set<String>()
        for (name, document) in metadata {
            listed.insert(name)
            guard let node = cube.arrays[name] else {
                error("the consolidated metadata lists '\(name)', which has no \(name)/zarr.json in the store")
                continue
            }
            if node.document != document { error("the consolidated metadata's copy of '\(name)/zarr.json' differs from the file in the store") }
        }
        for name in cube.arrays.keys.sorted() where !listed.contains(name) {
            error("'\(name)/zarr.json' is not in the root zarr.json's consolidated metadata: consolidated readers do not see it")
        }
    }

    private func checkChunks(_ format: ZarrFormat, into problems: inout [VerificationProblem]) async {
        for node in cube.arrays.values.sorted(by: { $0.name < $1.name }) {
            guard let spec = node.metadata else { continue }
            let recorded = lineage?.variable(node.name)?.emptyChunks ?? []
            let empty = Set(recorded)
            var missing: [String] = []
            var storedButEmpty = 0
            var expectedKeys = Set<String>()
            if spec.shards == nil {
                for indices in spec.chunkIndices {
                    let key = spec.storedKey(indices, format: format)
                    expectedKeys.insert(key)
                    if cube.keys.contains(key) {
                        if empty.contains(indices) { storedButEmpty += 1 }
                    } else if !empty.contains(indices) {
                        missing.append(key)
                    }
                }
            } else {
                let perShard = spec.chunksPerShard
                for shard in spec.storedIndices {
                    let key = spec.storedKey(shard, format: format)
                    expectedKeys.insert(key)
                    // Which inner chunks the shard holds: none when it is not stored.
                    var held = [Bool](repeating: false, count: perShard.reduce(1, *))
                    if cube.keys.contains(key) {
                        do {
                            guard let bytes = try await cube.storage.get(StoreKey(key)) else { continue }
                            held = try ZarrShardIndex(shard: bytes, count: held.count, key: key).entries.map { $0 != nil }
                        } catch {
                            problems.append(VerificationProblem(.error, .zarr, "array '\(node.name)': \(error)"))
                            continue
                        }
                    }
                    for (k, chunk) in spec.chunks(inStored: shard).enumerated() {
                        guard let global = chunk else { continue }
                        let label = "\(key)[inner chunk \(k)]"
                        if held[k] {
                            if empty.contains(global) { storedButEmpty += 1 }
                        } else if !empty.contains(global) {
                            missing.append(label)
                        }
                    }
                }
            }
            if !missing.isEmpty {
                let shown = missing.prefix(5).joined(separator: ", ") + (missing.count > 5 ? ", …" : "")
                let total = spec.chunkIndices.count
                problems.append(VerificationProblem(.error, .zarr,
                    "array '\(node.name)': \(missing.count) of \(total) chunks missing and not recorded as empty (\(shown))"))
            }
            if storedButEmpty > 0 {
                problems.append(VerificationProblem(.warning, .zarr,
                    "array '\(node.name)': \(storedButEmpty) chunk(s) recorded as empty in lineage.json are stored"))
            }
            let stray = cube.keys.filter { isChunkKey($0, of: node.name, format) && !expectedKeys.contains($0) }
            if !stray.isEmpty {
                problems.append(VerificationProblem(.warning, .zarr,
                    "array '\(node.name)': \(stray.count) stored chunk(s) outside its shape (\(stray.sorted().prefix(3).joined(separator: ", ")))"))
            }
        }
    }

    /// Whether `key` is in the chunk namespace of array `name`.
    private func isChunkKey(_ key: String, of name: String, _ format: ZarrFormat) -> Bool {
        let prefix = name + "/"
        guard key.hasPrefix(prefix) else { return false }
        let rest = key.dropFirst(prefix.count)
        switch format {
        case .v2: return !rest.contains("/") && !rest.hasPrefix(".")
        case .v3: return rest == "c" || rest.hasPrefix("c/")
        }
    }

    /// Decodes every stored chunk (every inner chunk of every shard), checking its size and every
    /// checksum on the way.
    private func checkDecoding(_ format: ZarrFormat, into problems: inout [VerificationProblem]) async {
        for node in cube.arrays.values.sorted(by: { $0.name < $1.name }) {
            guard let spec = node.metadata else { continue }
            let reader: ZarrArrayReader
            do {
                reader = try await ZarrArrayReader(storage: cube.storage, name: node.name)
            } catch {
                problems.append(VerificationProblem(.error, .zarr, "array '\(node.name)': \(error)"))
                continue
            }
            var failures: [String] = []
            for unit in spec.storedIndices where cube.keys.contains(spec.storedKey(unit, format: format)) {
                do {
                    _ = try await reader.unit(unit)
                } catch {
                    failures.append("\(error)")
                }
            }
            if let first = failures.first {
                problems.append(VerificationProblem(.error, .zarr, "array '\(node.name)': \(failures.count) chunk(s) do not decode (\(first))"))
            }
        }
    }
}
