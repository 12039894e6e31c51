import CubeCore
import Foundation
import Testing
@testable import CubeStoreGRIB

/// CubeGen frames GRIB messages itself (section 0's length, the `7777` end marker) before ecCodes
/// reads them: damaged lengths are one-line errors, not reads past a buffer.
@Suite struct GRIBFramingTests {
    private var fixture: [UInt8] {
        let path = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Fixtures/healpix_h2_nested.grib2").path
        return [UInt8](FileManager.default.contents(atPath: path) ?? Data())
    }

    private func frames(_ bytes: [UInt8]) throws -> [GRIBFraming.Frame] {
        try GRIBFraming.frames(size: bytes.count, path: "test.grib") { offset, count in Array(bytes[offset..<min(bytes.count, offset + count)]) }
    }

    @Test func messagesAreFoundBetweenForeignBytes() throws {
        let file = fixture
        let whole = try frames(file)
        #expect(whole.count == 2 && whole[0].offset == 0 && whole[0].length + whole[1].length == file.count)
        // Padding before, between and after the messages (as some archives write) is skipped.
        let padded = Array("junk".utf8) + Array(file[0..<whole[0].length]) + [0, 0, 0, 71, 82] + Array(file[whole[1].offset...]) + [1, 2, 3]
        let found = try frames(padded)
        #expect(found.map(\.offset) == [4, 4 + whole[0].length + 5] && found.map(\.length) == whole.map(\.length))
        #expect(try frames(Array("not a GRIB file at all, just text".utf8)).isEmpty)
    }

    @Test func damagedLengthsAreOneLineErrorsNamingTheOffset() throws {
        var file = fixture
        let first = try frames(file)[0]
        // A length past the end of the file.
        var long = file
        long[15] = 0xFF
        long[12] = 0x7F
        #expect { try frames(long) } throws: { "\($0)".contains("byte 0 states a length of") && "\($0)".contains("past the end") }
        // A length that misses the end marker.
        file[15] &+= 1
        #expect { try frames(file) } throws: { "\($0)".contains("does not end in 7777") }
        // An impossible length.
        var short = fixture
        for k in 8..<16 { short[k] = 0 }
        short[15] = 14
        #expect { try frames(short) } throws: { "\($0)".contains("impossible length of 14") }
        #expect(first.length > 20)
    }
}
