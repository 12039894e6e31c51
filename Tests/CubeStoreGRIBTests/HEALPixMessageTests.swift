import CubeCore
import Foundation
import Testing
@testable import CubeStoreGRIB

/// Debian's ecCodes 2.28 cannot open a HEALPix message (template 3.150) on its own; with CubeGen's
/// definitions first on the path it decodes one written by ecCodes 2.50 (the PyPI wheel).
@Suite struct HEALPixMessageTests {
    private var fixture: String {
        URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Fixtures/healpix_h2_nested.grib2").path
    }

    @Test func aHEALPixMessageDecodesWithItsNsideOrderingAndValues() throws {
        let messages = try GRIBStore.messages(path: fixture)
        #expect(messages.count == 2)
        for (k, message) in messages.enumerated() {
            #expect(message.gridType == "healpix" && message.nside == 2 && message.numberOfValues == 48)
            #expect(message.nested == (k == 0))
            let values = try GRIBCalls.values(fixture, offset: message.offset, length: message.length)
            let expected = (0..<48).map { 270 + 0.5 * Double($0) + (k == 1 ? 100 : 0) }
            #expect(values.count == 48 && zip(values, expected).allSatisfy { abs($0 - $1) < 1e-2 }, "\(values.prefix(4))")
        }
    }

    /// The same two messages with the standard first-point longitude, 45° (ecCodes 2.50 writes 0°
    /// unless told, and its own geo-iterator then refuses the grid, as CubeGen does).
    private var standardFixture: String {
        URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Fixtures/healpix_h2_45.grib2").path
    }

    @Test func aNonStandardFirstLongitudeIsOneClearError() async throws {
        do {
            _ = try await GRIBStore().describe(path: fixture)
            Issue.record("a HEALPix grid rotated to 0° was accepted")
        } catch {
            #expect("\(error)".contains("healpix_h2_nested.grib2") && "\(error)".contains("longitudeOfFirstGridPoint 0.0° is not the standard 45°"), "\(error)")
        }
    }

    @Test func aHEALPixFileIsACellGridSourceOfItsFirstMessagesGrid() async throws {
        let fixture = standardFixture
        let descriptor = try await GRIBStore().describe(path: fixture)
        #expect(descriptor.grid.cells == .healpix(nside: 2, nested: true))
        #expect(descriptor.grid.width == 48 && descriptor.grid.height == 1)
        // The second message is on the ring grid, another grid: left out.
        #expect(descriptor.variables.count == 1)
        let variable = try #require(descriptor.variables.first)
        #expect(variable.dimensions == ["time", "values"] && variable.shape == [1, 48])
        let reader = try await GRIBStore().open(path: fixture)
        let all = try await reader.read(variable.name, timeIndex: 0, window: .init(rows: 0..<1, columns: 0..<48))
        #expect(zip(all, (0..<48).map { 270 + 0.5 * Float($0) }).allSatisfy { abs($0 - $1) < 1e-2 }, "\(all.prefix(4))")
        let part = try await reader.read(variable.name, timeIndex: 0, window: .init(rows: 0..<1, columns: 10..<14))
        #expect(part == Array(all[10..<14]))
    }
}
