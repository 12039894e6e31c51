import CubeCore
import CubeRecipe

/// Opens input files on first use and shares each reader between tasks, keeping at most
/// `capacity` files open: the least recently used is dropped (and closed once no task holds it),
/// so a source of thousands of daily files does not exhaust file handles. A file no task still
/// to finish reads (`expect` / `finished`) is dropped at once: an open netCDF-4 file keeps HDF5's
/// metadata caches (a few megabytes), and a year of monthly files held open made peak memory
/// grow with the number of days.
actor ReaderPool {
    /// One input file: its source and its index in the source's files.
    struct Key: Hashable, Sendable {
        var source: Int
        var file: Int
    }

    private let sources: [SourcePlan]
    private let capacity: Int
    private var readers: [Key: Task<any DatasetReader, any Error>] = [:]
    private var lastUse: [Key: UInt64] = [:]
    private var clock: UInt64 = 0
    /// Per file, the tasks announced with `expect` that read it and have not finished.
    private var pending: [Key: Int] = [:]

    init(sources: [SourcePlan], capacity: Int = 64) {
        self.sources = sources
        self.capacity = max(1, capacity)
    }

    /// The reader of file `file` of source `source`.
    func reader(source: Int, file: Int) async throws -> any DatasetReader {
        let key = Key(source: source, file: file)
        clock += 1
        lastUse[key] = clock
        if let task = readers[key] { return try await task.value }
        let plan = sources[source]
        let task = Task { () async throws -> any DatasetReader in
            let reader = try await plan.inputs.open(plan.files[file].location, with: plan.store, planned: plan.files[file])
            return plan.section.bands.isEmpty ? reader : BandNamedReader(base: reader, bands: plan.section.bands)
        }
        readers[key] = task
        if readers.count > capacity, let victim = lastUse.filter({ $0.key != key }).min(by: { $0.value < $1.value })?.key {
            readers[victim] = nil
            lastUse[victim] = nil
        }
        do {
            return try await task.value
        } catch {
            readers[key] = nil
            throw error
        }
    }

    /// Announces tasks that will read files, each task's files in one element.
    func expect(_ tasks: [[Key]]) {
        for files in tasks {
            for file in files { pending[file, default: 0] += 1 }
        }
    }

    /// A task announced with `expect` has finished: a file no other announced task reads
    /// is dropped (closed once no task holds its reader).
    func finished(_ files: [Key]) {
        for file in files {
            guard let count = pending[file] else { continue }
            if count > 1 {
                pending[file] = count - 1
            } else {
                pending[file] = nil
                readers[file] = nil
                lastUse[file] = nil
            }
        }
    }

    /// The input files the task of `region` reads (every variable's steps, interpolated steps included).
    static func files(of region: ChunkRegion, in plan: CubePlan) -> [Key] {
        var files = Set<Key>()
        for (s, source) in plan.sources.enumerated() {
            for t in region.times where t < source.steps.count {
                for step in source.steps[t] { files.insert(Key(source: s, file: step.file)) }
            }
        }
        for variable in plan.variables {
            for t in region.times {
                for step in variable.upsampled[t] ?? [] { files.insert(Key(source: variable.source, file: step.file)) }
            }
        }
        return Array(files)
    }
}
