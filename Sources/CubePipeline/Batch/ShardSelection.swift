public import CubeCore
public import Foundation

/// Which share of a plan's tasks one process computes: shard `index` of `count`.
///
/// Task `k` (in plan order) belongs to shard `k mod count`: deterministic for a plan, balanced
/// (shard sizes differ by at most one task) and interleaved, so every shard gets tasks from every
/// time block and every part of the grid.
public struct ShardSelection: Sendable, Hashable, CustomStringConvertible {
    /// This shard, from 0.
    public var index: Int
    /// The number of shards.
    public var count: Int

    /// The whole plan in one process.
    public static let all = ShardSelection(uncheckedIndex: 0, count: 1)

    private init(uncheckedIndex index: Int, count: Int) {
        self.index = index
        self.count = count
    }

    /// Shard `index` of `count`.
    /// - Throws: `CubeError` (`.invalidInput`) unless `count ≥ 1` and `0 ≤ index < count`.
    public init(index: Int, count: Int) throws {
        guard count >= 1, (0..<count).contains(index) else {
            throw CubeError(.invalidInput, "shard \(index)/\(count) does not exist: write i/N with N ≥ 1 and 0 ≤ i < N")
        }
        self.init(uncheckedIndex: index, count: count)
    }

    /// Parses `i/N`, or `auto/N`, which takes `i` from the batch system: `SLURM_ARRAY_TASK_ID`
    /// (Slurm job arrays) or `JOB_COMPLETION_INDEX` (Kubernetes Indexed Jobs).
    /// - Throws: `CubeError` (`.invalidInput`) naming the text or the missing variable.
    public init(parsing text: String, environment: [String: String] = ProcessInfo.processInfo.environment) throws {
        let parts = text.split(separator: "/", omittingEmptySubsequences: false)
        guard parts.count == 2, let count = Int(parts[1]) else {
            throw CubeError(.invalidInput, "--shard '\(text)' is not i/N or auto/N (for example 0/4)")
        }
        if parts[0] == "auto" {
            let names = ["SLURM_ARRAY_TASK_ID", "JOB_COMPLETION_INDEX"]
            guard let name = names.first(where: { environment[$0] != nil }), let index = Int(environment[name]!) else {
                throw CubeError(.invalidInput,
                    "--shard auto/\(count) needs SLURM_ARRAY_TASK_ID or JOB_COMPLETION_INDEX in the environment (a Slurm array task or a Kubernetes Indexed Job)")
            }
            try self.init(index: index, count: count)
        } else {
            guard let index = Int(parts[0]) else {
                throw CubeError(.invalidInput, "--shard '\(text)' is not i/N or auto/N (for example 0/4)")
            }
            try self.init(index: index, count: count)
        }
    }

    /// Whether task number `position` (in plan order) is this shard's.
    public func contains(_ position: Int) -> Bool { position % count == index }

    /// `i/N`.
    public var description: String { "\(index)/\(count)" }
}
