import Foundation

/// How to run a plan.
public struct RunOptions: Sendable {
    /// Chunk tasks in flight at once (default: the number of cores).
    public var workers: Int?
    /// Replace an existing output even when the recipe does not say so.
    public var overwrite: Bool
    /// Bytes the shared source-plane cache may hold (default: 1/8 of memory, at most 2 GiB).
    public var cacheBudget: Int?
    /// Chunk writes in flight at once, separate from `workers` (object stores want many requests
    /// in flight; default: 16 for object storage, 4 for local folders).
    public var ioConcurrency: Int?
    /// This process's share of the tasks (`--shard i/N`); with several shards no metadata is
    /// written until `Pipeline.finalize`.
    public var shard: ShardSelection = .all
    /// Recompute every task, ignoring recorded tasks and an up-to-date cube (`--force`).
    public var force: Bool = false

    /// Creates options.
    public init(workers: Int? = nil, overwrite: Bool = false, cacheBudget: Int? = nil, ioConcurrency: Int? = nil,
                shard: ShardSelection = .all, force: Bool = false) {
        self.workers = workers
        self.overwrite = overwrite
        self.cacheBudget = cacheBudget
        self.ioConcurrency = ioConcurrency
        self.shard = shard
        self.force = force
    }
}

/// Progress of a run, reported after every finished chunk task.
public struct ProgressEvent: Sendable {
    /// Chunk tasks finished.
    public var tasksDone: Int
    /// Chunk tasks in all.
    public var tasksTotal: Int
    /// Uncompressed bytes of the finished chunks.
    public var bytesDone: Int
    /// Seconds since the run started.
    public var elapsed: Double
}

/// What a run did.
public struct RunReport: Sendable {
    /// The cube's path.
    public var outputPath: String
    /// Chunk tasks run.
    public var tasks: Int
    /// Chunks written, or shards when sharded (tasks × variables).
    public var chunksWritten: Int
    /// Uncompressed bytes of the data variables.
    public var bytes: Int
    /// Bytes stored (after compression).
    public var storedBytes: Int
    /// Seconds taken.
    public var elapsed: Double
    /// Per variable, values that did not fit the output data type and were stored as fill.
    public var clippedValues: [String: Int]
    /// Source planes served from the cache, and read.
    public var planeCacheHits: Int
    /// Source planes read.
    public var planeReads: Int
    /// Output values written (time × rows × columns × variables).
    public var outputValues: Int = 0
    /// The STAC Collection written beside the cube.
    public var catalogPath: String = ""
    /// The STAC Item written beside the Collection.
    public var itemPath: String = ""
    /// Tasks not computed because a valid record of them was found (a resumed run).
    public var tasksSkipped: Int = 0
    /// Whether the cube was already up to date (nothing was written).
    public var upToDate: Bool = false
    /// The shard this run computed, when it was one of several (no metadata written).
    public var shard: ShardSelection = .all

    /// A one-line summary.
    public var summary: String {
        if upToDate { return "\(outputPath) is up to date: nothing to do (\(tasksSkipped) tasks recorded; --force rebuilds)" }
        let resumed = tasksSkipped > 0 ? String(format: ", %d recorded tasks skipped", tasksSkipped) : ""
        if shard != .all {
            return String(format: "shard %@: computed %d tasks%@ into %@ in %.2f s; run 'cubegen finalize' when every shard is done",
                          shard.description, tasks, resumed, outputPath, elapsed)
        }
        let mb = Double(bytes) / 1e6
        return String(format: "wrote %@: %d chunks, %.1f MB (%.1f MB stored) in %.2f s (%.1f MB/s, %.1f Mpixel/s)%@",
                      outputPath, chunksWritten, mb, Double(storedBytes) / 1e6, elapsed, elapsed > 0 ? mb / elapsed : 0,
                      elapsed > 0 ? Double(outputValues) / 1e6 / elapsed : 0, resumed)
    }
}
