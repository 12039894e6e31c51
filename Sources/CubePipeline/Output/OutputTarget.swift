import CubeCore
import CubeStorage
import Foundation

/// Where a run writes its cube and how the finished cube becomes visible: a local folder
/// (`LocalOutput`: a staging folder renamed into place) or an object store (`ObjectStoreOutput`:
/// chunks straight to their final keys, consolidated metadata last as the commit point).
protocol OutputTarget: Sendable {
    /// The output as the user wrote it (a path or URL), for messages.
    var location: String { get }

    /// The cube's URL once published (what STAC hrefs and reports name).
    var url: URL { get }

    /// Where the run's lease lives (`OutputLease`): the storage and key of the lease object.
    var lease: (storage: any Storage, key: StoreKey) { get }

    /// The lease object's path or URL, for messages.
    var leaseDescription: String { get }

    /// What an unfinished run left (a staging folder, or a prefix with the run marker), for
    /// `cubegen status`; `nil` when there is none.
    func unfinished() async throws -> (any Storage)?

    /// The published cube, when there is one (for the up-to-date check).
    func published() async throws -> (any Storage)?

    /// Refuses, before anything is touched (the lease included), an output that may not be
    /// written: one that exists without `overwrite` or `update`, or that is not a cube.
    func check(overwrite: Bool, update: Bool) async throws

    /// Checks that the output can be written without destroying anything but a cube (refusing
    /// otherwise before anything is touched) and returns the storage to write the cube into.
    /// - Parameters:
    ///   - keep: keep what an unfinished run left (its task records make a resumed run skip the
    ///     tasks it finished); `false` starts empty.
    ///   - update: the published cube is updated in place (an incremental run of a compatible
    ///     recipe, see `CubeLayout`): allowed without `overwrite`, and its chunks and task records
    ///     are where the run starts from.
    func prepare(overwrite: Bool, keep: Bool, update: Bool) async throws -> any Storage

    /// Called when every chunk is written and before any metadata document: removes every object
    /// that is not in `kept` (the chunks and task records of the cube being finalized) — what a
    /// replaced cube or an interrupted run left — so no stale chunk survives under the new metadata.
    func beforeMetadata(written kept: Set<String>) async throws

    /// Makes the finished cube visible (after its consolidated metadata was written).
    func publish() async throws

    /// After a failure: removes what can be removed and returns a sentence saying what was left
    /// (or `nil` when nothing was).
    func discard() async -> String?
}
