import CubeCore
import CubeFixtures
@testable import CubeStoreNetCDF
import Zarr
import Testing

/// Reading stored HDF5 chunks and decoding them outside the library lock gives exactly what
/// netCDF's own hyperslab reads give, for every layout the fast path takes (and it steps aside
/// for the others).
@Suite(.serialized) struct DirectChunkReadTests {
    /// A netCDF-4 file (time 5, y 23, x 37) with variables stored in different ways.
    /// A netCDF-4 file at `path` with the axes time (unlimited), y (23) and x (37) defined,
    /// still in define mode.
    private func axes(_ path: String) throws -> NetCDFWriter {
        let writer = try NetCDFWriter(path: path, format: .netCDF4)
        try writer.defineDimension("time", length: nil)
        try writer.defineDimension("y", length: 23)
        try writer.defineDimension("x", length: 37)
        try writer.defineVariable("time", type: .float64, dimensions: ["time"])
        try writer.defineVariable("y", type: .float64, dimensions: ["y"])
        try writer.defineVariable("x", type: .float64, dimensions: ["x"])
        try writer.setAttribute("units", .text("days since 2000-01-01"), variable: "time")
        try writer.setAttribute("units", .text("degrees_north"), variable: "y")
        try writer.setAttribute("units", .text("degrees_east"), variable: "x")
        return writer
    }

    /// Writes the axes' values (`steps` days from 2020-01-01) after `endDefinitions`.
    private func writeAxes(_ writer: NetCDFWriter, steps: Int) throws {
        try writer.write("time", (0..<steps).map { 7305 + Double($0) }, start: [0], count: [steps])
        try writer.write("y", (0..<23).map { -11 + Double($0) })
        try writer.write("x", (0..<37).map { 100 + Double($0) })
    }

    private func writeFile(_ path: String) throws {
        let writer = try axes(path)
        // deflate + shuffle, chunks spanning two time steps and cut at the edges.
        try writer.defineVariable("f32", type: .float32, dimensions: ["time", "y", "x"], chunks: [2, 7, 11], deflateLevel: 4, shuffle: true)
        // packed int16, deflate without shuffle, fill value, and time steps never written.
        try writer.defineVariable("i16", type: .int16, dimensions: ["time", "y", "x"], chunks: [1, 5, 8], deflateLevel: 1)
        try writer.setAttribute("_FillValue", .integers([-32768]), variable: "i16", type: .int16)
        try writer.setAttribute("scale_factor", .reals([0.01]), variable: "i16", type: .float32)
        // float64, chunked but uncompressed; and uint8 with shuffle only.
        try writer.defineVariable("f64", type: .float64, dimensions: ["time", "y", "x"], chunks: [5, 23, 37])
        try writer.defineVariable("u8", type: .uint8, dimensions: ["time", "y", "x"], chunks: [3, 4, 37], deflateLevel: 9, shuffle: true)
        // Shuffled integers, converted from their byte planes: packed int16 with an offset and
        // fill values among the data, uint16 and int32.
        try writer.defineVariable("s16", type: .int16, dimensions: ["time", "y", "x"], chunks: [2, 6, 9], deflateLevel: 2, shuffle: true)
        try writer.setAttribute("_FillValue", .integers([-32768]), variable: "s16", type: .int16)
        try writer.setAttribute("scale_factor", .reals([0.01]), variable: "s16", type: .float32)
        try writer.setAttribute("add_offset", .reals([273.15]), variable: "s16", type: .float32)
        try writer.defineVariable("u16", type: .uint16, dimensions: ["time", "y", "x"], chunks: [1, 23, 37], deflateLevel: 1, shuffle: true)
        try writer.defineVariable("i32", type: .int32, dimensions: ["time", "y", "x"], chunks: [5, 4, 5], deflateLevel: 6, shuffle: true)
        try writer.endDefinitions()
        try writeAxes(writer, steps: 5)
        var generator = SplitMix64(seed: 11)
        func noise() -> Double { Double(generator.next() % 1_000_000) / 1_000_000 }
        let cells = 5 * 23 * 37
        try writer.write("f32", (0..<cells).map { Double($0) * 0.37 + noise() })
        // Steps 0, 1 and 4 only (2 and 3 stay unwritten chunks).
        for t in [0, 1, 4] {
            try writer.write("i16", (0..<(23 * 37)).map { _ in Double(Int(noise() * 60000) - 30000) }, start: [t, 0, 0], count: [1, 23, 37])
        }
        try writer.write("f64", (0..<cells).map { _ in noise() * 1e6 })
        try writer.write("u8", (0..<cells).map { Double($0 % 251) })
        try writer.write("s16", (0..<cells).map { k in k % 13 == 0 ? -32768 : Double(Int(noise() * 65000) - 32500) })
        try writer.write("u16", (0..<cells).map { _ in Double(Int(noise() * 65535)) })
        try writer.write("i32", (0..<cells).map { _ in Double(Int(noise() * 4e9) - 2_000_000_000) })
        try writer.close()
    }

    @Test func directReadsEqualNetCDFReadsOnRandomWindows() async throws {
        let dir = try TemporaryDirectory("direct")
        defer { dir.remove() }
        let path = dir.path("chunks.nc")
        try writeFile(path)
        // The fast path takes every variable here: chunked, with filters it decodes.
        let chunks = try #require(HDF5Chunks(path: path))
        let names = ["f32", "i16", "f64", "u8", "s16", "u16", "i32"]
        let layouts = names.map { name in NetCDFLibrary.call { chunks.layout(name) } }
        #expect(layouts.map { $0?.filters.map(\.id) } == [[2, 1], [1], [], [2, 1], [2, 1], [2, 1], [2, 1]])
        #expect(layouts.map { $0?.chunk } == [[2, 7, 11], [1, 5, 8], [5, 23, 37], [3, 4, 37], [2, 6, 9], [1, 23, 37], [5, 4, 5]])
        // Which chunks are converted from their shuffled bytes (the unshuffled copy skipped).
        #expect(layouts.map { $0?.convertsShuffled(mask: 0) } == [true, false, false, false, true, true, true])
        let direct = try await NetCDFStore(directChunkReads: true).open(path: path)
        let plain = try await NetCDFStore(directChunkReads: false).open(path: path)
        var generator = SplitMix64(seed: 3)
        var compared = 0
        for _ in 0..<60 {
            let r0 = Int(generator.next() % 23), c0 = Int(generator.next() % 37)
            let rows = r0..<(r0 + 1 + Int(generator.next() % UInt64(23 - r0)))
            let columns = c0..<(c0 + 1 + Int(generator.next() % UInt64(37 - c0)))
            let window = PixelWindow(rows: rows, columns: columns)
            let t = Int(generator.next() % 5)
            for variable in names {
                let a = try await direct.read(variable, timeIndex: t, window: window)
                let b = try await plain.read(variable, timeIndex: t, window: window)
                #expect(a.count == window.count)
                let same = zip(a, b).allSatisfy { $0.bitPattern == $1.bitPattern || ($0.isNaN && $1.isNaN) }
                #expect(same, "\(variable) t=\(t) rows \(rows) columns \(columns)")
                compared += a.count
            }
        }
        #expect(compared > 10_000)
        // Unwritten chunks read as fill, hence missing after CF decoding.
        let unwritten = try await direct.read("i16", timeIndex: 2, window: PixelWindow(rows: 0..<23, columns: 0..<37))
        #expect(unwritten.allSatisfy { $0.isNaN })
        // Packed fill values among shuffled data are missing; the rest unpack with the offset.
        let packed = try await direct.read("s16", timeIndex: 0, window: PixelWindow(rows: 0..<23, columns: 0..<37))
        #expect(packed.enumerated().allSatisfy { k, v in (k % 13 == 0) == v.isNaN })
        #expect(packed.filter { !$0.isNaN }.allSatisfy { $0 > 273.15 - 326 && $0 < 273.15 + 326 })
    }

    @Test func storedChunksAreFoundUnderTheLockAndReadOutsideIt() throws {
        let dir = try TemporaryDirectory("direct-pread")
        defer { dir.remove() }
        let path = dir.path("chunks.nc")
        try writeFile(path)
        let chunks = try #require(HDF5Chunks(path: path))
        // Time steps 2 and 3 of i16 were never written; the others were, chunk by chunk.
        let (layout, located) = try NetCDFLibrary.call { () throws -> (HDF5Chunks.Layout, [HDF5Chunks.RawChunk]) in
            let layout = try #require(chunks.layout("i16"))
            return (layout, try chunks.readChunks("i16", layout: layout, start: [0, 0, 0], count: [5, 23, 37]))
        }
        #expect(located.count == 5 * 5 * 5)
        #expect(located.allSatisfy { $0.bytes == nil })
        #expect(located.filter { $0.extent != nil }.count == 3 * 5 * 5)
        #expect(located.filter { $0.extent == nil }.allSatisfy { [2, 3].contains($0.offset[0]) })
        // `load` reads what HDF5 stored: each chunk inflates to a whole chunk of int16.
        let loaded = try chunks.load(located)
        #expect(loaded.allSatisfy { $0.extent == nil })
        for chunk in loaded {
            guard let bytes = chunk.bytes else { continue }
            let inflated = try ZlibCodec.inflate(bytes, decodedCount: layout.chunk.reduce(1, *) * 2)
            #expect(inflated.count == 1 * 5 * 8 * 2)
        }
    }

    @Test func datasetsOfManyChunksAreReadThroughHDF5() async throws {
        // HDF5 1.10 walks a dataset's chunk index to locate one chunk: past
        // `locatedChunksLimit` chunks they are read under the lock instead, with the same values.
        let dir = try TemporaryDirectory("direct-many")
        defer { dir.remove() }
        let path = dir.path("many.nc")
        let writer = try axes(path)
        try writer.defineVariable("fine", type: .float32, dimensions: ["time", "y", "x"], chunks: [1, 1, 1], deflateLevel: 1)
        try writer.endDefinitions()
        try writeAxes(writer, steps: 2)
        try writer.write("fine", (0..<(2 * 23 * 37)).map { Double($0) * 0.5 })
        try writer.close()
        let chunks = try #require(HDF5Chunks(path: path))
        let raw = try NetCDFLibrary.call { () throws -> [HDF5Chunks.RawChunk] in
            let layout = try #require(chunks.layout("fine"))
            return try chunks.readChunks("fine", layout: layout, start: [1, 0, 0], count: [1, 2, 3])
        }
        #expect(raw.count == 6 && raw.allSatisfy { $0.bytes != nil && $0.extent == nil })
        let direct = try await NetCDFStore(directChunkReads: true).open(path: path)
        let values = try await direct.read("fine", timeIndex: 1, window: PixelWindow(rows: 0..<23, columns: 0..<37))
        let expected: [Float] = (0..<(23 * 37)).map { k in Float(23 * 37 + k) * 0.5 }
        #expect(values == expected)
    }
}
