import CubeCatalog
import CubeCore
import CubeRecipe
import CubeStorage
import Foundation
import Zarr

/// Where a recipe's cube stands (`cubegen status`): published or not, how many of the plan's
/// tasks are recorded as still valid, whether the cube is up to date, whether a run holds it now,
/// and what keeps the published cube from being updated in place.
public struct RunStatus: Sendable {
    /// What is at the output path.
    public enum State: String, Sendable {
        /// Nothing: no cube and no unfinished run.
        case absent
        /// An unfinished run's staging folder or prefix (its records make the next run resume).
        case unfinished
        /// A published cube.
        case published
    }

    /// The output path or URL.
    public var outputPath: String
    /// What is there.
    public var state: State
    /// The plan's tasks.
    public var tasksTotal: Int
    /// The plan's task indices (time, y, x) without a valid record, in plan order.
    public var missing: [[Int]]
    /// Whether the published cube was finalized from exactly this plan and inputs.
    public var upToDate: Bool
    /// Why the published cube cannot be updated in place to this plan (empty when it can).
    public var changes: [String]
    /// A live run holding the output's lease, if any.
    public var holder: String?

    /// Tasks with a valid record.
    public var tasksRecorded: Int { tasksTotal - missing.count }

    /// A few lines for the terminal.
    public var summary: String {
        var lines = ["output: \(outputPath) (\(state.rawValue))"]
        lines.append("tasks: \(tasksRecorded) of \(tasksTotal) recorded as valid for this recipe, \(missing.count) to compute")
        if !missing.isEmpty {
            lines.append("missing: " + missing.prefix(8).map { "[\($0.map(String.init).joined(separator: ", "))]" }.joined(separator: ", ")
                         + (missing.count > 8 ? ", …" : ""))
        }
        if state == .published {
            lines.append(upToDate ? "up to date: yes (a run writes nothing)"
                : changes.isEmpty ? "up to date: no (a run updates the cube in place)"
                : "up to date: no; cannot update in place: \(changes.joined(separator: "; ")) (--overwrite rebuilds)")
        }
        if let holder { lines.append("being written now by \(holder)") }
        return lines.joined(separator: "\n")
    }
}

extension CubeExecutor {
    /// The status of this plan's output; writes nothing.
    func status() async throws -> RunStatus {
        let target = try OutputTargets.make(path: plan.recipe.output.path, options: StorageOptions(plan.recipe.output.storageOptions),
                                            registry: registries.storage)
        let digests = TaskDigests.all(plan)
        let published = try await target.published()
        let unfinished = try await target.unfinished()
        var status = RunStatus(outputPath: CatalogLayout.text(target.url), state: unfinished != nil ? .unfinished : published != nil ? .published : .absent,
                               tasksTotal: plan.tasks.count, missing: [], upToDate: false, changes: [],
                               holder: try await OutputLease.holder(target))
        if let published {
            status.upToDate = try await CubeExecutor.isUpToDate(published, digest: CubeExecutor.cubeDigest(plan, digests: digests))
            if let bytes = try await published.get(StoreKey(CubeLayout.key)), let old = CubeLayout(bytes: bytes) {
                status.changes = CubeLayout(plan: plan).changes(from: old)
            } else {
                status.changes = ["the cube has no CubeGen layout record (made by another tool or an older CubeGen)"]
            }
        }
        var recorded = Set<[Int]>()
        if let storage = unfinished ?? published {
            for (index, record) in try await TaskManifest(storage: storage).records() where digests[index] == record.digests {
                recorded.insert(index)
            }
        }
        status.missing = plan.tasks.map(CubeExecutor.index).filter { !recorded.contains($0) }
        return status
    }
}
