import CubeCore
import Foundation
import Testing
@testable import CubeStoreGRIB

/// ecCodes 2.28 loops forever computing the validity time of a step whose time unit code is past
/// its table; CubeGen refuses such a message first (a fuzz finding, kept as this fixture: two 2t
/// messages, the second with `indicatorOfUnitOfTimeRange` 81; the value counts of section 5 set to
/// what the bitmaps and data sections hold, so that only the unit is damaged).
@Suite struct GRIBTimeUnitTests {
    private let path = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Fixtures/time_unit_81.grib2").path

    @Test func aTimeUnitPastTheCodeTableIsOneErrorNamingMessageAndKey() async throws {
        await #expect { try await GRIBStore().describe(path: path) } throws: { error in
            let text = "\(error)"
            return text.contains("GRIB message 2 at byte 206") && text.contains("time unit code 81 (indicatorOfUnitOfTimeRange)")
                && !text.contains("\n")
        }
    }

    @Test func theSameMessageWithAnHourUnitIsRead() async throws {
        // Unit 1 (hour) in the second message: both messages index, 6 h apart.
        var bytes = [UInt8](FileManager.default.contents(atPath: path) ?? Data())
        let unit = try #require((206..<bytes.count - 4).first { bytes[$0] == 81 && bytes[$0 + 4] == 6 })
        bytes[unit] = 1
        let copy = NSTemporaryDirectory() + "cubegen-time-unit-\(getpid()).grib2"
        try Data(bytes).write(to: URL(fileURLWithPath: copy))
        defer { try? FileManager.default.removeItem(atPath: copy) }
        let messages = try GRIBCalls.index(copy)
        #expect(messages.count == 2)
        #expect(messages.map(\.validityTime) == [0, 600])
    }
}
