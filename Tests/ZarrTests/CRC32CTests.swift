import Testing
import Zarr

/// A bit-at-a-time CRC-32C, the definition the table-driven one must match.
private func bitwiseCRC32C(_ bytes: [UInt8]) -> UInt32 {
    var crc: UInt32 = 0xFFFF_FFFF
    for byte in bytes {
        crc ^= UInt32(byte)
        for _ in 0..<8 { crc = crc & 1 == 1 ? (crc >> 1) ^ 0x82F6_3B78 : crc >> 1 }
    }
    return ~crc
}

@Suite struct CRC32CTests {
    @Test func knownVectors() {
        #expect(CRC32C.checksum(Array("123456789".utf8)) == 0xE306_9283)
        #expect(CRC32C.checksum([]) == 0)
        // RFC 3720 §B.4.
        #expect(CRC32C.checksum([UInt8](repeating: 0, count: 32)) == 0x8A91_36AA)
        #expect(CRC32C.checksum([UInt8](repeating: 0xFF, count: 32)) == 0x62A8_AB43)
        #expect(CRC32C.checksum((0..<32).map { UInt8($0) }) == 0x46DD_794E)
        #expect(CRC32C.checksum((0..<32).map { UInt8(31 - $0) }) == 0x113F_DB5C)
    }

    @Test func slicingByEightMatchesTheBitwiseDefinitionAtEveryLengthAndSplit() {
        var state: UInt64 = 12345
        let data = (0..<300).map { _ -> UInt8 in
            state = state &* 6_364_136_223_846_793_005 &+ 1
            return UInt8(truncatingIfNeeded: state >> 40)
        }
        for length in [0, 1, 7, 8, 9, 15, 16, 17, 63, 64, 65, 299, 300] {
            let part = Array(data.prefix(length))
            #expect(CRC32C.checksum(part) == bitwiseCRC32C(part), "length \(length)")
        }
        let whole = CRC32C.checksum(data)
        for split in [0, 3, 8, 150, 300] {
            let first = data.prefix(split).withUnsafeBytes { CRC32C.checksum($0) }
            let both = data.suffix(from: split).withUnsafeBytes { CRC32C.checksum($0, continuing: first) }
            #expect(both == whole, "split at \(split)")
        }
    }

    @Test func codecAppendsLittleEndianChecksumAndRejectsCorruption() throws {
        let codec = CRC32CCodec()
        let encoded = try codec.encode(Array("123456789".utf8))
        #expect(encoded.suffix(4) == [0x83, 0x92, 0x06, 0xE3])
        #expect(try codec.decode(encoded, decodedCount: 9) == Array("123456789".utf8))
        var corrupted = encoded
        corrupted[2] ^= 1
        #expect(throws: ZarrError.self) { try codec.decode(corrupted, decodedCount: 9) }
        #expect(throws: ZarrError.self) { try codec.decode([1, 2], decodedCount: 0) }
    }
}
