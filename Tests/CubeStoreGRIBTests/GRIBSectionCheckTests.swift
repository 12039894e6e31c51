import CubeCore
import Foundation
import Testing
@testable import CubeStoreGRIB

/// ecCodes 2.28 decodes as many bitmap bits and packed values as sections 3 and 5 announce, from
/// sections 6 and 7 as long as they are; CubeGen refuses a message whose sections cannot hold what
/// it announces before anything is decoded (a fuzz finding: a section-3 point count of 5.6 million
/// for a 3-byte bitmap read far past the message).
@Suite struct GRIBSectionCheckTests {
    private let fixture = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Fixtures/time_unit_81.grib2").path

    private func indexed(_ damage: (inout [UInt8]) -> Void) throws -> [GRIBMessage] {
        var bytes = [UInt8](FileManager.default.contents(atPath: fixture) ?? Data())
        bytes[bytes.firstIndex(of: 81)!] = 1  // the time unit is not what these tests are about
        damage(&bytes)
        let copy = NSTemporaryDirectory() + "cubegen-sections-\(getpid())-\(UUID().uuidString).grib2"
        try Data(bytes).write(to: URL(fileURLWithPath: copy))
        defer { try? FileManager.default.removeItem(atPath: copy) }
        return try GRIBCalls.index(copy)
    }

    @Test func consistentSectionsIndex() throws {
        let messages = try indexed { _ in }
        #expect(messages.map(\.numberOfDataPoints) == [20, 20] && messages.map(\.numberOfValues) == [16, 16])
    }

    @Test func aPointCountPastTheBitmapIsRefused() throws {
        // Section 3 starts at byte 37 of the first message: length, number, source, then the count.
        #expect { try indexed { $0[43...46] = [0, 0x56, 0x73, 0x14] } } throws: {
            "\($0)".contains("message at byte 0 has a bitmap of 3 bytes for 5665556 grid points")
        }
    }

    @Test func moreValuesThanTheDataSectionHoldsAreRefused() throws {
        // Section 5 (length 21) of the first message: its value count.
        #expect { try indexed { bytes in
            let section5 = (0..<200).first { bytes[$0..<($0 + 5)] == [0, 0, 0, 0x15, 5] }!
            bytes[section5 + 8] = 20
        } } throws: { "\($0)".contains("packs 20 values of 12 bits into 24 bytes") }
        #expect { try indexed { bytes in
            let section5 = (0..<200).first { bytes[$0..<($0 + 5)] == [0, 0, 0, 0x15, 5] }!
            bytes[section5 + 8] = 45
        } } throws: { "\($0)".contains("states 20 grid points and 45 values") }
    }
}
