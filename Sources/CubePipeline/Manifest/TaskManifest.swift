import CubeCore
import CubeStorage
import Zarr

/// The task records of one output, read and written through its storage (NEXT.md §3: one small
/// object per task, so shards never contend).
struct TaskManifest: Sendable {
    let storage: any Storage

    /// Every readable record, by task index. Damaged or unreadable records are left out (their
    /// tasks are redone).
    func records() async throws -> [[Int]: TaskRecord] {
        var result: [[Int]: TaskRecord] = [:]
        for key in try await storage.list(prefix: TaskRecord.folder + "/") where key.rawValue.hasSuffix(".json") {
            guard let bytes = try await storage.get(key), let json = try? JSONValue.parse(bytes),
                  let record = TaskRecord(json: json), TaskRecord.key(record.task) == key.rawValue
            else { continue }
            result[record.task] = record
        }
        return result
    }

    /// Writes `record` (after every object it lists was written).
    func record(_ record: TaskRecord) async throws {
        try await storage.set(StoreKey(TaskRecord.key(record.task)), to: Array(record.json.serialized().utf8))
    }
}
