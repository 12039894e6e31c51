import CubeStorage
import Zarr

/// Zarr completeness: a v2 group, consolidated metadata equal to the documents on disk, every
/// array's metadata readable, and every chunk present (or recorded as empty in `lineage.json`).
struct ZarrCompletenessCheck {
    let cube: CubeSnapshot
    let lineage: Lineage?
    let decodeChunks: Bool

    func run(into problems: inout [VerificationProblem]) async {
        func error(_ message: String) { problems.append(VerificationProblem(.error, .zarr, message)) }
        guard cube.keys.contains(".zgroup") else {
            error(cube.keys.contains("zarr.json")
                ? "a Zarr v3 store (zarr.json); cubegen verify reads Zarr v2 stores only"
                : "no .zgroup: not a Zarr v2 group")
            return
        }
        for message in cube.documentErrors { error(message) }
        checkConsolidated(error)
        for node in cube.arrays.values.sorted(by: { $0.name < $1.name }) {
            if let message = node.metadataError { error("\(node.name)/.zarray: \(message)") }
        }
        checkChunks(into: &problems)
        if decodeChunks { await checkDecoding(into: &problems) }
    }

    private func checkConsolidated(_ error: (String) -> Void) {
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
            if let onDisk = diskDocument(key), onDisk != document {
                error(".zmetadata's copy of '\(key)' differs from the file in the store")
            }
        }
        for key in cube.keys.sorted() where isMetadataKey(key) && key != ".zmetadata" && !listed.contains(key) {
            error("'\(key)' is not in the consolidated metadata (.zmetadata): consolidated readers do not see it")
        }
    }

    private func isMetadataKey(_ key: String) -> Bool {
        let last = key.split(separator: "/").last.map(String.init) ?? key
        return [".zarray", ".zattrs", ".zgroup"].contains(last)
    }

    private func diskDocument(_ key: String) -> JSONValue? {
        if key == ".zattrs" { return cube.attributes }
        if key.hasSuffix("/.zarray") { return cube.arrays[String(key.dropLast(8))]?.zarray }
        if key.hasSuffix("/.zattrs") { return cube.arrays[String(key.dropLast(8))]?.attributes }
        return nil
    }

    private func checkChunks(into problems: inout [VerificationProblem]) {
        for node in cube.arrays.values.sorted(by: { $0.name < $1.name }) {
            guard let metadata = node.metadata else { continue }
            let empty = Set(lineage?.variable(node.name)?.emptyChunks.map { ZarrV2ArrayMetadata.chunkKey(array: node.name, indices: $0) } ?? [])
            var missing: [String] = []
            var expected = Set<String>()
            for indices in metadata.chunkIndices {
                let key = ZarrV2ArrayMetadata.chunkKey(array: node.name, indices: indices)
                expected.insert(key)
                if !cube.keys.contains(key) && !empty.contains(key) { missing.append(key) }
            }
            if !missing.isEmpty {
                let shown = missing.prefix(5).joined(separator: ", ") + (missing.count > 5 ? ", …" : "")
                problems.append(VerificationProblem(.error, .zarr,
                    "array '\(node.name)': \(missing.count) of \(expected.count) chunks missing and not recorded as empty (\(shown))"))
            }
            let recordedButStored = empty.filter { cube.keys.contains($0) }
            if !recordedButStored.isEmpty {
                problems.append(VerificationProblem(.warning, .zarr,
                    "array '\(node.name)': \(recordedButStored.count) chunk(s) recorded as empty in lineage.json are stored"))
            }
            let prefix = node.name + "/"
            let stray = cube.keys.filter { key in
                key.hasPrefix(prefix) && !key.dropFirst(prefix.count).contains("/") && !key.dropFirst(prefix.count).hasPrefix(".")
                    && !expected.contains(key)
            }
            if !stray.isEmpty {
                problems.append(VerificationProblem(.warning, .zarr,
                    "array '\(node.name)': \(stray.count) stored chunk(s) outside its shape (\(stray.sorted().prefix(3).joined(separator: ", ")))"))
            }
        }
    }

    /// Decodes every stored chunk and checks it has the chunk's size.
    private func checkDecoding(into problems: inout [VerificationProblem]) async {
        for node in cube.arrays.values.sorted(by: { $0.name < $1.name }) {
            guard node.metadata != nil else { continue }
            let reader: ZarrV2ArrayReader
            do {
                reader = try await ZarrV2ArrayReader(storage: cube.storage, name: node.name)
            } catch {
                problems.append(VerificationProblem(.error, .zarr, "array '\(node.name)': \(error)"))
                continue
            }
            var failures: [String] = []
            for index in reader.metadata.chunkIndices where cube.keys.contains(ZarrV2ArrayMetadata.chunkKey(array: node.name, indices: index)) {
                do {
                    let size = reader.metadata.chunks.reduce(1, *) * reader.metadata.dataType.size
                    if let bytes = try await reader.chunk(index), bytes.count != size {
                        failures.append("\(ZarrV2ArrayMetadata.chunkKey(array: node.name, indices: index)): \(bytes.count) bytes, expected \(size)")
                    }
                } catch {
                    failures.append("\(ZarrV2ArrayMetadata.chunkKey(array: node.name, indices: index)): \(error)")
                }
            }
            if let first = failures.first {
                problems.append(VerificationProblem(.error, .zarr, "array '\(node.name)': \(failures.count) chunk(s) do not decode (\(first))"))
            }
        }
    }
}
