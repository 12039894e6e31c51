import CubeCore

/// Reads hyperslabs of one open netCDF file (see `NetCDFStore`).
struct NetCDFDatasetReader: LevelDatasetReader {
    let file: NetCDFFile
    let descriptor: DatasetDescriptor
    let structure: NetCDFStructure
    /// Raw chunk access for netCDF-4 files, `nil` for netCDF-3 or when turned off.
    let chunks: HDF5Chunks?

    init(file: NetCDFFile, descriptor: DatasetDescriptor, structure: NetCDFStructure, chunks: HDF5Chunks? = nil) {
        self.file = file
        self.descriptor = descriptor
        self.structure = structure
        self.chunks = chunks
    }

    /// Reads one time step of `variable` over `window`, decoded, as rows of the grid's y order.
    func read(_ variable: String, timeIndex: Int, window: PixelWindow) async throws -> [Float] {
        try await read(variable, timeIndex: timeIndex, selection: [], window: window)
    }

    /// Reads one time step of `variable` at one index of each dimension of `selection` (a vertical
    /// level, an ensemble member) over `window`.
    func read(_ variable: String, timeIndex: Int, selection: [(dimension: String, index: Int)], window: PixelWindow) async throws -> [Float] {
        // A file storing a subset of a cell grid: read the stored positions, place them at their cells.
        guard let cells = descriptor.cellStorage, cells.needsScatter else {
            return try await readStored(variable, timeIndex: timeIndex, selection: selection, window: window)
        }
        let stored = cells.storedRange(covering: window.columns)
        let values = stored.isEmpty ? [] : try await readStored(variable, timeIndex: timeIndex, selection: selection,
                                                                 window: PixelWindow(rows: 0..<1, columns: stored))
        return cells.scatter(values, stored: stored, into: window.columns)
    }

    /// Reads `window` in storage positions.
    private func readStored(_ variable: String, timeIndex: Int, selection: [(dimension: String, index: Int)], window: PixelWindow) async throws -> [Float] {
        let path = file.path
        guard let raw = structure.variable(variable), let described = descriptor.variable(variable) else {
            throw CubeError(.invalidInput, "'\(path)' has no gridded variable '\(variable)'",
                            context: ["file": path, "variable": variable])
        }
        let (xDim, yDim) = descriptor.spatialDimensions
        var start: [Int] = [], count: [Int] = []
        for (dimension, length) in zip(raw.dimensions, raw.shape) {
            switch dimension {
            case xDim: start.append(window.columns.lowerBound); count.append(window.columns.count)
            case yDim: start.append(window.rows.lowerBound); count.append(window.rows.count)
            case descriptor.timeDimension: start.append(timeIndex); count.append(1)
            default:
                if let index = selection.first(where: { $0.dimension == dimension })?.index {
                    guard index >= 0, index < length else {
                        let what = descriptor.memberCoordinates[dimension] != nil ? "members" : "levels"
                        throw CubeError(.invalidInput, "'\(path)': variable '\(variable)' has \(length) \(what) along '\(dimension)', not \(index + 1)",
                                        context: ["file": path, "variable": variable])
                    }
                    start.append(index)
                    count.append(1)
                    continue
                }
                guard length == 1 else {
                    throw CubeError(.unsupported,
                        "'\(path)': variable '\(variable)' has dimension '\(dimension)' of length \(length); only time, y, x (and length-1 dimensions) are supported",
                        context: ["file": path, "variable": variable])
                }
                start.append(0)
                count.append(1)
            }
        }
        let xFirst = raw.dimensions.firstIndex(of: xDim)! < raw.dimensions.firstIndex(of: yDim)!
        let file = self.file, varid = raw.id
        let startValues = start, countValues = count
        var values: [Float]
        // The direct path unpacks each row as it converts it; netCDF's values are unpacked below.
        var unpacked = false
        do {
            if let direct = try await readDirect(variable, start: start, count: count, fill: described.packing.missingValues.first,
                                                 packing: described.packing) {
                values = direct
                unpacked = true
            } else {
                values = try await NetCDFLibrary.run {
                    var buffer = [Float](repeating: 0, count: window.count)
                    try buffer.withUnsafeMutableBufferPointer {
                        try file.readFloatsLocked(varid: varid, name: variable, start: startValues, count: countValues, into: $0.baseAddress!)
                    }
                    return buffer
                }
            }
        } catch let error as NetCDFError {
            // A chunk that fails its checks is a damaged input (exit 3), not an I/O failure.
            throw CubeError(error.function == "decode" ? .invalidInput : .io, "cannot read '\(variable)' at time step \(timeIndex)\(selection.map { " and \($0.dimension) index \($0.index)" }.joined()) from '\(path)': \(error.reason)",
                            context: ["file": path, "variable": variable, "time_step": String(timeIndex)], underlying: error)
        }
        if xFirst { values = transposed(values, rows: window.columns.count, columns: window.rows.count) }
        if !unpacked && !described.packing.isIdentity { values.withUnsafeMutableBufferPointer { described.packing.decode($0) } }
        return values
    }

    /// Reads through `HDF5Chunks`: the stored chunks found under the library lock, read and decoded here.
    /// `nil` when the variable is not stored in a way decoded here (the caller reads it with netCDF).
    /// The values come back unpacked with `packing`.
    private func readDirect(_ variable: String, start: [Int], count: [Int], fill: Double?, packing: CFPacking) async throws -> [Float]? {
        guard let chunks else { return nil }
        let fetched = try await NetCDFLibrary.run { () -> (HDF5Chunks.Layout, [HDF5Chunks.RawChunk])? in
            guard let layout = chunks.layout(variable), layout.chunk.count == start.count else { return nil }
            return (layout, try chunks.readChunks(variable, layout: layout, start: start, count: count))
        }
        guard let (layout, located) = fetched else { return nil }
        let raw = try chunks.load(located)
        // Not pre-filled: the chunks `readChunks` lists tile the request, and `decode` writes every
        // element of it (decoded values, or fill for chunks never written) or throws.
        return try [Float](unsafeUninitializedCapacity: count.reduce(1, *)) { buffer, initialized in
            try HDF5ChunkDecoder.decode(raw, layout: layout, start: start, count: count, fill: Float(fill ?? .nan),
                                        packing: packing, path: file.path, into: buffer)
            initialized = buffer.count
        }
    }

    private func transposed(_ values: [Float], rows: Int, columns: Int) -> [Float] {
        var out = [Float](repeating: 0, count: values.count)
        for r in 0..<rows {
            for c in 0..<columns { out[c * rows + r] = values[r * columns + c] }
        }
        return out
    }
}
