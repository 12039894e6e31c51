import CubeCore

/// Reads hyperslabs of one open netCDF file (see `NetCDFStore`).
struct NetCDFDatasetReader: DatasetReader {
    let file: NetCDFFile
    let descriptor: DatasetDescriptor
    let structure: NetCDFStructure

    init(file: NetCDFFile, descriptor: DatasetDescriptor, structure: NetCDFStructure) {
        self.file = file
        self.descriptor = descriptor
        self.structure = structure
    }

    /// Reads one time step of `variable` over `window`, decoded, as rows of the grid's y order.
    func read(_ variable: String, timeIndex: Int, window: PixelWindow) async throws -> [Float] {
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
        do {
            values = try await NetCDFLibrary.run {
                var buffer = [Float](repeating: 0, count: window.count)
                try buffer.withUnsafeMutableBufferPointer {
                    try file.readFloatsLocked(varid: varid, name: variable, start: startValues, count: countValues, into: $0.baseAddress!)
                }
                return buffer
            }
        } catch let error as NetCDFError {
            throw CubeError(.io, "cannot read '\(variable)' from '\(path)': \(error.reason)",
                            context: ["file": path, "variable": variable], underlying: error)
        }
        if xFirst { values = transposed(values, rows: window.columns.count, columns: window.rows.count) }
        if !described.packing.isIdentity { values.withUnsafeMutableBufferPointer { described.packing.decode($0) } }
        return values
    }

    private func transposed(_ values: [Float], rows: Int, columns: Int) -> [Float] {
        var out = [Float](repeating: 0, count: values.count)
        for r in 0..<rows {
            for c in 0..<columns { out[c * rows + r] = values[r * columns + c] }
        }
        return out
    }
}
