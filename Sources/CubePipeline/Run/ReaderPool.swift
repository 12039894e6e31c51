import CubeCore
import CubeRecipe

/// Opens input files on first use and shares each reader between tasks, keeping at most
/// `capacity` files open: the least recently used is dropped (and closed once no task holds it),
/// so a source of thousands of daily files does not exhaust file handles.
actor ReaderPool {
    private struct Key: Hashable {
        var source: Int
        var file: Int
    }

    private let sources: [SourcePlan]
    private let capacity: Int
    private var readers: [Key: Task<any DatasetReader, any Error>] = [:]
    private var lastUse: [Key: UInt64] = [:]
    private var clock: UInt64 = 0

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
}
