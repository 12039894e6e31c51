import CubeCore

/// Opens each input file once, on first use, and shares the reader between tasks.
actor ReaderPool {
    private let sources: [SourcePlan]
    private var readers: [Int: [Int: Task<any DatasetReader, any Error>]] = [:]

    init(sources: [SourcePlan]) { self.sources = sources }

    /// The reader of file `file` of source `source`.
    func reader(source: Int, file: Int) async throws -> any DatasetReader {
        if let task = readers[source]?[file] { return try await task.value }
        let plan = sources[source]
        let task = Task { try await plan.store.open(path: plan.files[file].location) }
        readers[source, default: [:]][file] = task
        return try await task.value
    }
}
