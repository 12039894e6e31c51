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

    /// The published cube, when there is one (for the up-to-date check).
    func published() async throws -> (any Storage)?

    /// Checks that the output can be written without destroying anything but a cube (refusing
    /// otherwise before anything is touched) and returns the storage to write the cube into.
    /// - Parameter keep: keep what an unfinished run left (its task records make a resumed run
    ///   skip the tasks it finished); `false` starts empty.
    func prepare(overwrite: Bool, keep: Bool) async throws -> any Storage

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
