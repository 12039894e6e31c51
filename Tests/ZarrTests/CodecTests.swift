import Foundation
import Testing
import Zarr

/// Seeded inputs that cover the shapes codecs trip on: empty, one byte, odd sizes, zeros,
/// incompressible and smooth data.
private func inputs() -> [(String, [UInt8])] {
    var state: UInt64 = 0x9E37_79B9_7F4A_7C15
    func next() -> UInt8 {
        state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
        return UInt8(truncatingIfNeeded: state >> 33)
    }
    let smooth = (0..<40_000).flatMap { i -> [UInt8] in
        let v = Float(250 + 20 * sin(Double(i) / 300))
        return withUnsafeBytes(of: v) { Array($0) }
    }
    return [
        ("empty", []), ("one byte", [42]), ("odd", (0..<1001).map { UInt8($0 % 251) }),
        ("zeros", [UInt8](repeating: 0, count: 65_536)), ("random", (0..<100_003).map { _ in next() }),
        ("smooth floats", smooth),
    ]
}

private func codecs() throws -> [(String, any BytesCodec)] {
    var list: [(String, any BytesCodec)] = []
    for cname in ["lz4", "zstd", "zlib", "blosclz", "lz4hc"] {
        for shuffle in 0...2 {
            list.append(("blosc \(cname) shuffle \(shuffle)", try BloscCodec(compressorName: cname, level: 5, shuffle: shuffle, typeSize: 4)))
        }
    }
    list += [("zstd 3", try ZstdCodec(level: 3)), ("zstd 19", try ZstdCodec(level: 19)), ("zlib 1", try ZlibCodec(level: 1)),
             ("zlib 9", try ZlibCodec(level: 9)), ("gzip 6", try GzipCodec(level: 6)),
             ("lz4 1", try LZ4Codec(acceleration: 1)), ("lz4 8", try LZ4Codec(acceleration: 8)),
             ("bz2 1", try Bzip2Codec(level: 1)), ("bz2 9", try Bzip2Codec(level: 9))]
    return list
}

@Suite struct CodecTests {
    @Test func everyCodecRoundTripsEveryInput() throws {
        for (codecName, codec) in try codecs() {
            for (inputName, input) in inputs() {
                let encoded = try codec.encode(input)
                let decoded = try codec.decode(encoded, decodedCount: input.count)
                #expect(decoded == input, "\(codecName) on \(inputName)")
            }
        }
    }

    @Test func encodingInPlaceEqualsEncodingACopy() throws {
        for (codecName, codec) in try codecs() + [("crc32c", CRC32CCodec())] {
            for (inputName, input) in inputs() {
                let inPlace = try input.withUnsafeBytes { try codec.encode(raw: $0) }
                #expect(inPlace == (try codec.encode(input)), "\(codecName) on \(inputName)")
            }
        }
    }

    @Test func compressionActuallyCompressesSmoothData() throws {
        let smooth = inputs().first { $0.0 == "smooth floats" }!.1
        // LZ4 (and Blosc's LZ-family without shuffle) finds no repeats in unshuffled float bytes: not expected to shrink them.
        for (name, codec) in try codecs() where (!name.contains("shuffle 0") || name.hasPrefix("z") || name.hasPrefix("g")) && !name.hasPrefix("lz4 ") {
            #expect(try codec.encode(smooth).count < smooth.count, "\(name)")
        }
    }

    @Test func encodingIsDeterministic() throws {
        let input = inputs()[4].1
        for (name, codec) in try codecs() {
            #expect(try codec.encode(input) == codec.encode(input), "\(name)")
        }
    }

    @Test func streamFormatsCarryTheirHeaders() throws {
        let data = [UInt8](repeating: 7, count: 1000)
        let gzip = try GzipCodec(level: 6).encode(data)
        #expect(gzip.prefix(2) == [0x1F, 0x8B])
        let zlib = try ZlibCodec(level: 6).encode(data)
        #expect(zlib[0] == 0x78)
        let zstd = try ZstdCodec(level: 3).encode(data)
        #expect(zstd.prefix(4) == [0x28, 0xB5, 0x2F, 0xFD])
        let blosc = try BloscCodec(compressorName: "lz4", level: 5, shuffle: 1, typeSize: 4).encode(data)
        #expect(blosc[3] == 4, "blosc header typesize")
        // numcodecs' LZ4 framing: the decoded length, little-endian, before the block.
        #expect(try LZ4Codec(acceleration: 1).encode(data).prefix(4) == [0xE8, 0x03, 0, 0])
        #expect(Array(try Bzip2Codec(level: 9).encode(data).prefix(4)) == Array("BZh9".utf8))
    }

    @Test func bloscDecodesAnyRangeOfWholeItemsAsTheWholeDecodeHasIt() throws {
        // 300 000 floats: several Blosc blocks, so ranges start and end inside and across blocks.
        let floats = (0..<300_000).map { Float(sin(Double($0) / 1000)) * 50 + Float($0 % 7) }
        let data = floats.withUnsafeBytes { Array($0) }
        for (cname, shuffle) in [("lz4", 1), ("zstd", 2), ("blosclz", 0)] {
            let codec = try BloscCodec(compressorName: cname, level: 5, shuffle: shuffle, typeSize: 4)
            let encoded = try codec.encode(data)
            let whole = try codec.decode(encoded, decodedCount: data.count)
            for range in [0..<4, 0..<data.count, 400_000..<(400_000 + 262_144), (data.count - 8)..<data.count, 1_000..<1_000] {
                let part = try codec.decode(encoded, decodedCount: data.count, byteRange: range)
                #expect(part == Array(whole[range]), "\(cname) shuffle \(shuffle) bytes \(range)")
            }
            // Not whole items, outside the data, a wrong size, a damaged header: errors, not reads.
            #expect(throws: ZarrError.self) { try codec.decode(encoded, decodedCount: data.count, byteRange: 2..<10) }
            #expect(throws: ZarrError.self) { try codec.decode(encoded, decodedCount: data.count, byteRange: 0..<(data.count + 4)) }
            #expect(throws: ZarrError.self) { try codec.decode(encoded, decodedCount: data.count - 4, byteRange: 0..<4) }
            var damaged = encoded
            damaged[12] ^= 0xFF  // cbytes: the stored size no longer matches the buffer
            #expect(throws: ZarrError.self) { try codec.decode(damaged, decodedCount: data.count, byteRange: 0..<4) }
        }
        let pipeline = ZarrBytesPipeline(stages: [try BloscCodec(compressorName: "lz4", level: 5, shuffle: 1, typeSize: 4)])
        #expect(pipeline.decodesRanges)
        #expect(!ZarrBytesPipeline(stages: [try ZstdCodec(level: 3)]).decodesRanges)
        // A pipeline that cannot decode a range decodes all and cuts.
        let zstd = ZarrBytesPipeline(stages: [try ZstdCodec(level: 3)])
        #expect(try zstd.decode(try zstd.encode(data), decodedCount: data.count, byteRange: 40..<80) == Array(data[40..<80]))
    }

    @Test func corruptOrMissizedInputIsAnError() throws {
        let codec = try ZstdCodec(level: 3)
        let encoded = try codec.encode([UInt8](repeating: 1, count: 100))
        #expect(throws: ZarrError.self) { try codec.decode(encoded, decodedCount: 99) }
        #expect(throws: ZarrError.self) { try ZlibCodec(level: 1).decode([1, 2, 3], decodedCount: 10) }
        #expect(throws: ZarrError.self) { try BloscCodec(compressorName: "lz4", level: 5, shuffle: 1, typeSize: 4).decode([0, 1], decodedCount: 4) }
        let smooth = inputs().first { $0.0 == "smooth floats" }!.1
        for codec in [try LZ4Codec(acceleration: 1), try Bzip2Codec(level: 5)] as [any BytesCodec] {
            let good = try codec.encode(smooth)
            #expect(throws: ZarrError.self) { try codec.decode(good, decodedCount: smooth.count - 4) }
            #expect(throws: ZarrError.self) { try codec.decode(Array(good.prefix(good.count / 2)), decodedCount: smooth.count) }
        }
        // bzip2 checks its block CRC: a flipped bit in the payload never decodes silently.
        var flipped = try Bzip2Codec(level: 5).encode(smooth)
        flipped[flipped.count / 2] ^= 0x10
        #expect(throws: ZarrError.self) { try Bzip2Codec(level: 5).decode(flipped, decodedCount: smooth.count) }
    }

    @Test func registryBuildsCodecsFromMetadataAndRejectsBadConfigurations() throws {
        let registry = CodecRegistry.standard
        let blosc = try registry.makeCodec(
            .object([("id", .string("blosc")), ("cname", .string("zstd")), ("clevel", .int(3)), ("shuffle", .int(2))]), elementSize: 8)
        #expect(blosc.configuration["cname"] == .string("zstd"))
        #expect(blosc.configuration["shuffle"] == .int(2))
        #expect(throws: ZarrError.unknownCodec("lzma")) { try registry.makeCodec(.object([("id", .string("lzma"))]), elementSize: 4) }
        #expect(throws: ZarrError.self) {
            try registry.makeCodec(.object([("id", .string("blosc")), ("cname", .string("brotli"))]), elementSize: 4)
        }
        #expect(throws: ZarrError.self) { try registry.makeCodec(.object([("id", .string("zlib")), ("level", .int(12))]), elementSize: 4) }
    }
}

/// Fill detection of float32 chunks (blocks without early exit): NaN of any payload and the
/// numeric fill count as fill, ±0 as equal, one other value anywhere makes the chunk non-empty.
struct Float32FillDetectionTests {
    private func bytes(_ values: [Float]) -> [UInt8] { values.withUnsafeBytes { Array($0) } }

    @Test func nanPayloadsZerosAndOneValueAnywhere() {
        let payload = Float(bitPattern: 0x7FC0_1234), negative = Float(bitPattern: 0xFFC0_0001)
        for count in [1, 63, 64, 65, 130, 200, 333] {
            let nans = [Float](repeating: .nan, count: count)
            #expect(ZarrDataType.float32.isAllFill(bytes(nans), fill: .nan))
            #expect(ZarrDataType.float32.isAllFill(bytes(nans.map { _ in payload }), fill: .nan))
            #expect(ZarrDataType.float32.isAllFill(bytes(nans.map { _ in negative }), fill: .nan))
            // Every 16-value lane group of a 64-value block, and the scalar tail.
            for position in Set([0, 17, 38, 59, count / 2, count - 1].filter { $0 < count }) {
                var one = nans
                one[position] = 0
                #expect(!ZarrDataType.float32.isAllFill(bytes(one), fill: .nan))
                one[position] = .infinity
                #expect(!ZarrDataType.float32.isAllFill(bytes(one), fill: .nan))
                var fills = [Float](repeating: -9999, count: count)
                #expect(ZarrDataType.float32.isAllFill(bytes(fills), fill: .number(-9999)))
                fills[position] = .nan
                #expect(ZarrDataType.float32.isAllFill(bytes(fills), fill: .number(-9999)))
                fills[position] = -9998
                #expect(!ZarrDataType.float32.isAllFill(bytes(fills), fill: .number(-9999)))
                var zeros = [Float](repeating: 0, count: count)
                zeros[position] = -0.0
                #expect(ZarrDataType.float32.isAllFill(bytes(zeros), fill: .number(0)))
            }
        }
    }
}
