import CubeStorage
import Testing
import Zarr

@Suite struct MetadataTests {
    @Test func zarrayHasZarrPythonsMembersAndSpellings() throws {
        let metadata = ZarrV2ArrayMetadata(
            shape: [3, 4, 5], chunks: [1, 2, 5], dataType: .float32, fillValue: .nan,
            compressor: .object([("id", .string("blosc")), ("cname", .string("zstd")), ("clevel", .int(5)), ("shuffle", .int(1)),
                                 ("blocksize", .int(0))]))
        let text = metadata.json.serialized(indent: 0)
        #expect(text == #"{"chunks":[1,2,5],"compressor":{"id":"blosc","cname":"zstd","clevel":5,"shuffle":1,"blocksize":0},"#
            + #""dimension_separator":".","dtype":"<f4","fill_value":"NaN","filters":null,"order":"C","shape":[3,4,5],"zarr_format":2}"#)
        let parsed = try ZarrV2ArrayMetadata(json: try JSONValue.parse(metadata.json.bytes))
        #expect(parsed == metadata)
        #expect(metadata.chunkCounts == [3, 2, 1])
    }

    @Test(arguments: [(ZarrFillValue.nan, ZarrDataType.float64, "\"NaN\""), (.infinity(negative: true), .float32, "\"-Infinity\""),
                      (.number(-32768), .int16, "-32768"), (.number(0.5), .float64, "0.5"), (.none, .int32, "null")])
    func fillValuesUseV2Spellings(fill: ZarrFillValue, type: ZarrDataType, text: String) throws {
        #expect(fill.v2JSON(for: type).serialized(indent: 0) == text)
        #expect(try ZarrFillValue(v2JSON: try JSONValue.parse(Array(text.utf8))) == fill)
    }

    @Test func dataTypeNames() {
        #expect(ZarrDataType.int8.v2Name == "|i1")
        #expect(ZarrDataType.uint16.v2Name == "<u2")
        #expect(ZarrDataType.float64.v2Name == "<f8")
        for type in ZarrDataType.allCases { #expect(ZarrDataType(v2Name: type.v2Name) == type) }
        #expect(ZarrDataType(v2Name: ">f4") == nil)
    }

    @Test func chunkKeys() {
        #expect(ZarrV2ArrayMetadata.chunkKey(array: "tas", indices: [0, 1, 2]) == "tas/0.1.2")
        #expect(ZarrV2ArrayMetadata.chunkKey(array: "crs", indices: []) == "crs/0")
    }

    @Test func jsonRoundTripsAndKeepsOrder() throws {
        let value = JSONValue.object([("z", .int(1)), ("a", .array([.double(1.5), .string("x\"\n\u{1}é"), .null, .bool(true)])),
                                      ("m", .object([("k", .double(1e-4))]))])
        for indent in [0, 2, 4] {
            #expect(try JSONValue.parse(Array(value.serialized(indent: indent).utf8)) == value)
        }
        #expect(value.serialized(indent: 0) == #"{"z":1,"a":[1.5,"x\"\n\u0001é",null,true],"m":{"k":0.0001}}"#)
        #expect(throws: ZarrError.self) { try JSONValue.parse(Array("{\"a\": }".utf8)) }
        #expect(throws: ZarrError.self) { try JSONValue.parse(Array("[1] x".utf8)) }
    }

    @Test func consolidatedMetadataHoldsEveryDocument() throws {
        let array = ZarrV2Hierarchy.Array(
            name: "v", metadata: ZarrV2ArrayMetadata(shape: [2], chunks: [2], dataType: .int16, fillValue: .number(-1), compressor: nil),
            attributes: .object([("_ARRAY_DIMENSIONS", .array([.string("x")]))]))
        let hierarchy = ZarrV2Hierarchy(attributes: .object([("title", .string("t"))]), arrays: [array])
        let consolidated = hierarchy.consolidated
        #expect(consolidated["zarr_consolidated_format"] == .int(1))
        let keys = consolidated["metadata"]?.objectMembers?.map(\.0)
        #expect(keys == [".zattrs", ".zgroup", "v/.zarray", "v/.zattrs"])
        #expect(consolidated["metadata"]?["v/.zarray"] == array.metadata.json)
    }

    @Test func readerDecodesWhatWasWritten() async throws {
        let storage = MemoryStorage()
        let codec = try ZstdCodec(level: 3)
        let metadata = ZarrV2ArrayMetadata(shape: [4], chunks: [2], dataType: .int16, fillValue: .number(0), compressor: codec.configuration)
        try await storage.set("a/.zarray", to: metadata.json.bytes)
        let raw: [Int16] = [5, -7]
        try await storage.set("a/1", to: try codec.encode(raw.withUnsafeBytes { Array($0) }))
        let reader = try await ZarrArrayReader(storage: storage, name: "a")
        #expect(reader.format == .v2 && reader.spec.dimensionNames == ["dim_0"])
        let bytes = try #require(try await reader.chunk([1]))
        #expect(bytes.withUnsafeBytes { Array($0.bindMemory(to: Int16.self)) } == raw)
        #expect(try await reader.chunk([0]) == nil)
    }
}
