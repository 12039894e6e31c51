import CubeCatalog
import CubeCore
import CubeRecipe
import CubeCrypto
import CubeStorage
import Foundation

/// Sizes and SHA-256 fingerprints of a plan's input files (entity tags for remote objects), computed off the critical path: the
/// executor starts it with the run and collects it when writing the lineage. Local files' digests are remembered between runs
/// (`FingerprintCache`).
enum FileFingerprints {
    /// Every input file of `plan` (in source order, then time order) with its size and, when
    /// `hash` is set, the SHA-256 of its content.
    /// - Throws: `CubeError` (`.io`) naming a file that cannot be read.
    static func compute(_ plan: CubePlan, hash: Bool) async throws -> [String: SourceRecord.File] {
        var records: [String: SourceRecord.File] = [:]
        let cache = FingerprintCache()
        for source in plan.sources {
            if let catalogue = source.inputs.catalogue {
                // STAC items: a record per asset read, by its href.
                for item in catalogue.items {
                    for asset in item.assets where records[asset.href] == nil {
                        try Task.checkCancellation()
                        var record = SourceRecord.File(path: asset.href, bytes: asset.bytes ?? 0, sha256: nil, etag: asset.etag,
                                                       stacItem: item.location, checksum: asset.checksum)
                        if asset.etag == nil, hash, source.inputs.remote[asset.href] == nil, source.inputs.datasets[asset.href] == nil {
                            record.sha256 = try? SHA256.hex(fileAt: asset.href)
                            let attributes = try? FileManager.default.attributesOfItem(atPath: asset.href)
                            record.bytes = (attributes?[.size] as? NSNumber)?.intValue ?? record.bytes
                        }
                        records[asset.href] = record
                    }
                }
                continue
            }
            for file in source.files where records[file.location] == nil {
                try Task.checkCancellation()
                if source.inputs.datasets[file.location] != nil {
                    // A dataset read in place (a Zarr directory or prefix): no single file to size or hash.
                    records[file.location] = SourceRecord.File(path: file.location, bytes: 0, sha256: nil)
                    continue
                }
                if let object = source.inputs.remote[file.location], let etag = object.info.etag {
                    // A remote object: its entity tag and size, as planned (the run checked they still hold).
                    records[file.location] = SourceRecord.File(path: file.location, bytes: object.info.size, sha256: nil, etag: etag)
                    continue
                }
                if source.inputs.remote[file.location] != nil {
                    // A remote object without an entity tag: the SHA-256 of the copy that was read.
                    var digest: String?
                    // Objects read by byte range are not downloaded just to be hashed.
                    if hash, !source.inputs.readsByRange(file.location, with: source.store) {
                        let path = try await source.inputs.localPath(for: file.location)
                        digest = try? SHA256.hex(fileAt: path)
                    }
                    records[file.location] = SourceRecord.File(path: file.location, bytes: source.inputs.remote[file.location]!.info.size,
                                                               sha256: digest)
                    continue
                }
                let attributes = try? FileManager.default.attributesOfItem(atPath: file.location)
                let bytes = (attributes?[.size] as? NSNumber)?.intValue ?? 0
                var digest: String?
                if hash {
                    do {
                        digest = try cache.sha256(of: file.location)
                    } catch {
                        throw CubeError(.io, "cannot read '\(file.location)' to fingerprint it: \(error.localizedDescription)",
                                        context: ["file": file.location], underlying: error)
                    }
                }
                records[file.location] = SourceRecord.File(path: file.location, bytes: bytes, sha256: digest)
            }
        }
        return records
    }
}
