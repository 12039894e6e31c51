import CubeCore
import CubeCrypto
import CubeStorage
import Foundation
import Zarr

/// The digests that say which recorded tasks are still valid: for each task and variable, the
/// SHA-256 of everything its chunks depend on — the CubeGen version, the cube's layout (grid,
/// chunks, format, codecs, time encoding), the variable's settings, the task's time steps and
/// the fingerprints (path, size, modification time; URL, size, entity tag for remote objects) of the input files and steps that feed it.
/// A changed input rewrites only the chunks it feeds; a changed variable only that variable.
struct TaskDigests: Sendable {
    /// The digest of the layout: when it differs from a cube's, the cube cannot be updated in place.
    let layout: String
    private let variables: [String]
    private let files: [[String]]
    private let plan: CubePlan

    /// Prepares the digests of `plan`, stating every input file once.
    init(plan: CubePlan) {
        self.plan = plan
        let normalized = RecipeNormalizer.normalize(plan)
        var layoutText = "cubegen \(CubeGenVersion.current)\n"
        layoutText += (normalized["grid"]?.serialized() ?? "") + "\n"
        // The output section without what does not change bytes (path, overwrite, attributes).
        if let output = normalized["output"]?.objectMembers {
            layoutText += JSONValue.object(output.filter { !["path", "overwrite", "attrs"].contains($0.0) }).serialized() + "\n"
        }
        layoutText += "\(plan.time.units.description) \(plan.time.units.calendar.cfName)\n"
        // time.start and time.end only select steps: each task's own steps are hashed below, so
        // moving time.end later (an incremental run) keeps the digests of the tasks it does not touch.
        if let time = normalized["time"]?.objectMembers {
            layoutText += JSONValue.object(time.filter { !["start", "end"].contains($0.0) }).serialized() + "\n"
        }
        for variable in plan.variables { layoutText += "\(variable.name) \(variable.dataType.rawValue) \(variable.fillValue)\n" }
        layout = SHA256.hex(Array(layoutText.utf8))
        let sources = normalized["sources"]?.arrayValue ?? []
        variables = plan.variables.map { variable in
            let recipeIndex = plan.sources[variable.source].recipeIndex
            let section = recipeIndex < sources.count ? sources[recipeIndex] : .null
            // The normalized recipe keys a layered variable (levels) by its recipe key, others by the field read.
            let key = variable.layer != nil ? (variable.keyPath.components(separatedBy: ".variables.").last ?? variable.sourceName) : variable.sourceName
            let settings = section["variables"]?[key]?.serialized() ?? ""
            return "\(variable.name) from \(section["store"]?.serialized() ?? "") \(variable.sourceName) \(settings)"
        }
        files = plan.sources.map { source in
            source.files.map { file in
                if let item = source.inputs.catalogue?.item(at: file.location) {
                    // A STAC item: what its assets were when planned (href, entity tag or checksum, size).
                    return "\(file.location) \(item.fingerprint)"
                }
                if let object = source.inputs.remote[file.location] {
                    let version = object.info.etag ?? "\(object.info.modified?.timeIntervalSince1970 ?? 0)"
                    return "\(file.location) \(object.info.size) \(version)"
                }
                let attributes = try? FileManager.default.attributesOfItem(atPath: file.location)
                let size = (attributes?[.size] as? NSNumber)?.intValue ?? -1
                let modified = (attributes?[.modificationDate] as? Date)?.timeIntervalSince1970 ?? 0
                return "\(file.location) \(size) \(String(format: "%.6f", modified))"
            }
        }
    }

    /// Per task index (time, y, x) and variable name, the digests of every task of `plan`.
    static func all(_ plan: CubePlan) -> [[Int]: [String: String]] {
        let digests = TaskDigests(plan: plan)
        return Dictionary(uniqueKeysWithValues: plan.tasks.map { (CubeExecutor.index($0), digests.digests(for: $0)) })
    }

    /// Per variable name, the digest of the task covering `region`.
    func digests(for region: ChunkRegion) -> [String: String] {
        var result: [String: String] = [:]
        for (v, variable) in plan.variables.enumerated() {
            var hasher = SHA256()
            hasher.update(Array("\(layout)\n\(variables[v])\n\(region.index.t) \(region.index.y) \(region.index.x)\n".utf8))
            let source = plan.sources[variable.source]
            for t in region.times {
                var line = "\(plan.time.values[t])"
                if let bounds = plan.time.bounds { line += " [\(bounds[t].0), \(bounds[t].1)]" }
                for step in source.steps[t] { line += " \(files[variable.source][step.file])#\(step.index)" }
                if source.steps[t].isEmpty, let filled = variable.upsampled[t] {
                    for step in filled { line += " \(files[variable.source][step.file])#\(step.index)*\(step.weight)" }
                }
                hasher.update(Array((line + "\n").utf8))
            }
            result[variable.name] = ByteEncoding.hex(hasher.finalize())
        }
        return result
    }
}
