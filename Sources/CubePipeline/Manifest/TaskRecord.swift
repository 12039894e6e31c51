import CubeCatalog
import Zarr

/// What one finished chunk task wrote: the manifest entry that makes runs resumable, shardable and
/// incremental (NEXT.md §3). One small object per task (`.cubegen/tasks/T.Y.X.json` in the
/// output), written after every chunk of the task landed, so concurrent shards never rewrite a
/// shared object and a task without a record is redone.
struct TaskRecord: Sendable, Equatable {
    /// The task's chunk (or shard) index (time, y, x).
    var task: [Int]
    /// Per variable, the digest of everything its chunks of this task depend on (`TaskDigests`).
    var digests: [String: String]
    /// Every object written: key → (size, SHA-256).
    var objects: [String: StoredObject]
    /// Per variable, the chunk indices not stored because they hold only fill.
    var empty: [String: [[Int]]]
    /// Per variable, values clipped to the packed range.
    var clipped: [String: Int]

    /// One stored object.
    struct StoredObject: Sendable, Equatable {
        var size: Int
        var sha256: String
    }

    /// The objects of `variable` (its chunks or shards, keys below `variable/`).
    func objects(of variable: String) -> [String] { objects.keys.filter { $0.hasPrefix(variable + "/") } }

    /// The record cut down to `variables`: what a task keeps when only its other variables are
    /// recomputed (a recipe change to one variable rewrites only that variable).
    func keeping(_ variables: Set<String>) -> TaskRecord {
        TaskRecord(task: task, digests: digests.filter { variables.contains($0.key) },
                   objects: objects.filter { key, _ in variables.contains { key.hasPrefix($0 + "/") } },
                   empty: empty.filter { variables.contains($0.key) }, clipped: clipped.filter { variables.contains($0.key) })
    }

    /// The record's key in the output store.
    static func key(_ task: [Int]) -> String { "\(TaskRecord.folder)/\(task.map(String.init).joined(separator: "."))" + ".json" }

    /// The folder of task records; Zarr readers ignore it (no Zarr document in it).
    static let folder = ".cubegen/tasks"

    /// The record as JSON.
    var json: JSONValue {
        .object([
            ("task", .array(task.map { .int(Int64($0)) })),
            ("digests", .object(digests.sorted { $0.key < $1.key }.map { ($0.key, .string($0.value)) })),
            ("objects", .object(objects.sorted { $0.key < $1.key }.map {
                ($0.key, .object([("size", .int(Int64($0.value.size))), ("sha256", .string($0.value.sha256))]))
            })),
            ("empty", .object(empty.sorted { $0.key < $1.key }.map { ($0.key, .array($0.value.map { .array($0.map { .int(Int64($0)) }) })) })),
            ("clipped", .object(clipped.sorted { $0.key < $1.key }.map { ($0.key, .int(Int64($0.value))) })),
        ])
    }

    /// Reads a record; `nil` when `json` is not one (a damaged record is redone, not trusted).
    init?(json: JSONValue) {
        guard let task = json["task"]?.arrayValue?.compactMap(\.intValue), !task.isEmpty,
              let digests = json["digests"]?.objectMembers, let objects = json["objects"]?.objectMembers,
              let empty = json["empty"]?.objectMembers, let clipped = json["clipped"]?.objectMembers
        else { return nil }
        var d: [String: String] = [:]
        for (name, value) in digests {
            guard let text = value.stringValue else { return nil }
            d[name] = text
        }
        var o: [String: StoredObject] = [:]
        for (key, value) in objects {
            guard let size = value["size"]?.intValue, let sha = value["sha256"]?.stringValue else { return nil }
            o[key] = StoredObject(size: size, sha256: sha)
        }
        var e: [String: [[Int]]] = [:]
        for (name, value) in empty {
            guard let list = value.arrayValue else { return nil }
            e[name] = list.map { ($0.arrayValue ?? []).compactMap(\.intValue) }
        }
        var c: [String: Int] = [:]
        for (name, value) in clipped {
            guard let count = value.intValue else { return nil }
            c[name] = count
        }
        self.init(task: task, digests: d, objects: o, empty: e, clipped: c)
    }

    /// Creates a record.
    init(task: [Int], digests: [String: String], objects: [String: StoredObject], empty: [String: [[Int]]], clipped: [String: Int]) {
        self.task = task
        self.digests = digests
        self.objects = objects
        self.empty = empty
        self.clipped = clipped
    }
}
