@testable import CubePipeline
import CubeGen
import Foundation
import Synchronization
import Testing

/// `SourceInventory.describeAll`: remote files are described several at a time, results stay in
/// path order, and the error reported is the first in path order whatever the timing.
@Suite struct ConcurrentDescribeTests {
    /// A store whose describes take a path-dependent time, fail for `failing`, and count how many
    /// run at once.
    final class SlowStore: DataStore, @unchecked Sendable {
        let failing: Set<String>
        private let state = Mutex((running: 0, most: 0, started: [String]()))

        init(failing: Set<String> = []) { self.failing = failing }

        var most: Int { state.withLock { $0.most } }
        var started: [String] { state.withLock { $0.started } }

        func describe(path: String) async throws -> DatasetDescriptor {
            state.withLock { $0.running += 1; $0.most = max($0.most, $0.running); $0.started.append(path) }
            defer { state.withLock { $0.running -= 1 } }
            // Durations vary with the path, so results arrive out of order; failures come at once.
            let index = Int(path.split(separator: "/").last!)!
            try await Task.sleep(for: .milliseconds(failing.contains(path) ? 1 : 20 + (40 - index) % 7 * 4))
            if failing.contains(path) { throw CubeError(.invalidInput, "cannot describe '\(path)'", context: ["url": path]) }
            let grid = SourceGrid(crs: .wgs84, isGeographic: true, x: try AxisCoordinates([Double(index), Double(index) + 1]),
                                  y: try AxisCoordinates([0, 1]))
            return DatasetDescriptor(location: path, grid: grid, spatialDimensions: (x: "lon", y: "lat"), timeDimension: nil,
                                     timeUnits: nil, timeValues: [], dates: [], variables: [], attributes: [])
        }

        func open(path: String) async throws -> any DatasetReader { throw CubeError(.unsupported, "not for reading") }
    }

    private let remote = (0..<40).map { "https://example.invalid/items/\($0)" }

    @Test func remoteFilesAreDescribedConcurrentlyInPathOrder() async throws {
        let store = SlowStore()
        let results = await SourceInventory.describeAll(remote, store: store, inputs: SourceInputs())
        let described = try results.map { try #require($0).get() }
        #expect(described.map(\.location) == remote)
        #expect(described.map { $0.grid.x.values[0] } == (0..<40).map(Double.init))
        #expect(store.most > 1 && store.most <= SourceInventory.remoteDescribeConcurrency, "at most \(store.most) at once")
        // Tasks are added in path order, but under load their bodies may begin in another order
        // (a clean-clone CI run saw item 16 start after 23): each file is started exactly once.
        #expect(store.started.sorted() == remote.sorted(), "every file started once")
    }

    @Test func localFilesAreDescribedOneAtATime() async throws {
        let store = SlowStore()
        let local = (0..<6).map { "/data/in/\($0)" }
        let results = await SourceInventory.describeAll(local, store: store, inputs: SourceInputs())
        #expect(try results.map { try #require($0).get().location } == local)
        #expect(store.most == 1)
    }

    @Test func theFirstFailureInPathOrderIsReportedAndNothingStartsAfterIt() async throws {
        // 9 fails first in path order; 23 fails too if it was started at all.
        let store = SlowStore(failing: [remote[9], remote[23]])
        let results = await SourceInventory.describeAll(remote, store: store, inputs: SourceInputs())
        for index in 0..<9 { #expect((try? results[index]?.get()) != nil, "file \(index) was described") }
        let firstFailure = results.firstIndex { if case .some(.failure) = $0 { true } else { false } }
        #expect(firstFailure == 9)
        #expect(store.started.count < remote.count, "files after the failure were not started")
        if case let .failure(error)? = results[9] { #expect("\(error)".contains(remote[9])) } else { Issue.record("no failure at 9") }
    }
}
