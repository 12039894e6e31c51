import CubeCore
import CubeFixtures
import Foundation
import Testing

/// Byte ranges read with `pread` (`PositionalRead`): a range inside the file comes back whole, one
/// running past its end comes back short without an error, a failed call reports its `errno`.
@Suite struct PositionalReadTests {
    @Test func rangesComeBackWholeShortOrWithTheirError() throws {
        let dir = try TemporaryDirectory("pread")
        defer { dir.remove() }
        let path = dir.url.path + "/bytes.bin"
        let content = (0..<10_000).map { UInt8(truncatingIfNeeded: $0 &* 7) }
        try Data(content).write(to: URL(fileURLWithPath: path))
        let descriptor = open(path, O_RDONLY)
        #expect(descriptor >= 0)
        defer { close(descriptor) }
        let inside = PositionalRead.bytes(descriptor, count: 4_000, at: 3_000)
        #expect(inside.error == 0 && inside.bytes == Array(content[3_000..<7_000]))
        let past = PositionalRead.bytes(descriptor, count: 4_000, at: 8_000)
        #expect(past.error == 0 && past.bytes == Array(content[8_000...]))
        #expect(PositionalRead.bytes(descriptor, count: 0, at: 0) == ([], 0))
        var floats = [Float](repeating: .nan, count: 4)
        let outcome = floats.withUnsafeMutableBytes { PositionalRead.read(descriptor, into: $0.baseAddress!, count: 16, at: 16) }
        #expect(outcome.read == 16 && outcome.error == 0)
        #expect(floats.withUnsafeBytes { Array($0) } == Array(content[16..<32]))
        let failed = PositionalRead.bytes(-1, count: 8, at: 0)
        #expect(failed.error == EBADF && failed.bytes.isEmpty)
    }
}
