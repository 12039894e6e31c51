import CubeStorage

/// Written-chunk integrity: every chunk listed in `chunks.sha256` is read back and its SHA-256
/// compared with the one recorded when it was written, so a flipped bit or a truncated or
/// replaced chunk is reported by its key.
struct ChunkChecksumCheck {
    let cube: CubeSnapshot
    /// Whether chunks are read and hashed (`--decode`); otherwise only the list itself is parsed.
    let readChunks: Bool

    func run(into problems: inout [VerificationProblem]) async {
        func report(_ severity: VerificationProblem.Severity, _ message: String) {
            problems.append(VerificationProblem(severity, .zarr, message))
        }
        guard cube.keys.contains(ChunkChecksums.key) else {
            if cube.keys.contains("lineage.json") {
                report(.warning, "no \(ChunkChecksums.key): the chunks cannot be checked against what was written")
            }
            return
        }
        let list: ChunkChecksums
        do {
            guard let bytes = try await cube.storage.get(StoreKey(ChunkChecksums.key)) else { return }
            list = try ChunkChecksums(text: String(decoding: bytes, as: UTF8.self))
        } catch {
            report(.error, "\(error)")
            return
        }
        // Missing chunks are the completeness check's to report; this one compares contents.
        guard readChunks else { return }
        var mismatched: [String] = []
        for (key, expected) in list.digests.sorted(by: { $0.key < $1.key }) where cube.keys.contains(key) {
            do {
                guard let bytes = try await cube.storage.get(StoreKey(key)) else { continue }
                if ChunkChecksums.digest(bytes) != expected { mismatched.append(key) }
            } catch {
                report(.error, "chunk '\(key)' cannot be read: \(error)")
            }
        }
        for key in mismatched {
            report(.error, "chunk '\(key)' differs from what was written (its SHA-256 does not match \(ChunkChecksums.key))")
        }
    }
}
