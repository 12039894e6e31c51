import CubeCore

extension GRIBDataset {
    /// The cell grid of a reduced Gaussian (template 3.40 with `pl`) or HEALPix (3.150) message.
    ///
    /// Only the layouts `CellGridGeometry` describes are accepted: a global reduced Gaussian grid
    /// whose rows start at 0° E and run north to south, and a HEALPix grid in the standard
    /// orientation (first point at 45° E). Anything else is refused naming the file and the key.
    static func cellGrid(_ m: GRIBMessage, path: String) throws -> SourceGrid {
        func refuse(_ what: String) -> CubeError {
            CubeError(.unsupported, "'\(path)': \(m.gridType) grid of message #\(m.index + 1) (\(m.shortName)): \(what)", context: ["file": path])
        }
        // Damaged messages claim sizes of any kind: the cell count must be one CubeGen reads and
        // agree with the values the message holds, as for raster grids.
        func checked(_ count: (partialValue: Int, overflow: Bool)) throws {
            guard !count.overflow, count.partialValue >= 1, count.partialValue <= GRIBCalls.maximumValues else {
                throw CubeError(.invalidInput,
                    "'\(path)': the GRIB message at byte \(m.offset) claims a \(m.gridType) grid of more than \(GRIBCalls.maximumValues) cells (damaged?)",
                    context: ["file": path])
            }
            let points = count.partialValue
            let consistent = points == m.numberOfDataPoints && (m.bitmapPresent ? points >= m.numberOfValues : points == m.numberOfValues)
            guard consistent else {
                throw CubeError(.invalidInput,
                    "'\(path)': the GRIB message at byte \(m.offset) has \(m.numberOfValues) values for a \(m.gridType) grid of \(points) cells (damaged?)",
                    context: ["file": path])
            }
        }
        if m.gridType == "healpix" {
            guard let nside = m.nside, nside >= 1 else { throw refuse("no Nside") }
            let square = nside.multipliedReportingOverflow(by: nside)
            let count = square.overflow ? square : square.partialValue.multipliedReportingOverflow(by: 12)
            try checked(count)
            guard abs(m.firstLongitude - 45) < 1e-6 else {
                throw refuse("longitudeOfFirstGridPoint \(m.firstLongitude)° is not the standard 45°")
            }
            return try SourceGrid(cells: .healpix(nside: nside, nested: m.nested ?? false))
        }
        guard let rows = m.pointsPerRow, let n = m.gaussianN, n >= 1 else { throw refuse("no pl array or N") }
        guard rows.allSatisfy({ $0 >= 1 && $0 <= GRIBCalls.maximumValues }) else { throw refuse("a pl entry outside 1…\(GRIBCalls.maximumValues)") }
        try checked((rows.reduce(0, +), false))
        guard rows.count == 2 * n else {
            throw refuse("\(rows.count) rows for N\(n): only global reduced Gaussian grids (2·N rows) are supported")
        }
        guard abs(m.firstLongitude) < 1e-6, !m.jScansPositively, !m.iScansNegatively else {
            throw refuse("rows must start at 0° E and run west to east, north to south (firstLongitude \(m.firstLongitude), jScansPositively \(m.jScansPositively))")
        }
        return try SourceGrid(cells: .reducedGaussian(n: n, pointsPerRow: rows))
    }
}

extension GRIBReader {
    /// A window (one row, a range of cells) of a cell-grid field.
    func readCells(_ variable: String, timeIndex: Int, window: PixelWindow) throws -> [Float] {
        guard let row = dataset.messages[variable], timeIndex < row.count, let message = row[timeIndex] else {
            throw CubeError(.invalidInput, "'\(dataset.path)' has no GRIB variable '\(variable)' at time step \(timeIndex)",
                            context: ["file": dataset.path, "variable": variable])
        }
        let field = try plane(message)
        if window.columns == 0..<field.count { return field }
        return Array(field[window.columns])
    }

    /// The values of a cell-grid message in cell order (HEALPix pixel index, Gaussian points row by row).
    func cellValues(_ raw: [Float], _ message: GRIBMessage, _ cells: CellGridGeometry) throws -> [Float] {
        guard raw.count == cells.count else {
            throw CubeError(.invalidInput,
                "'\(dataset.path)': GRIB message #\(message.index + 1) at byte \(message.offset) has \(raw.count) values for \(cells.summary)",
                context: ["file": dataset.path])
        }
        return raw
    }
}

extension GRIBReader: CellSubsetReader {
    /// The values of a cell-grid field at the cells of `cells`: a simple-packed message unpacks
    /// only those values, straight from the mapped file; any other packing is decoded whole by
    /// ecCodes and gathered. Neither keeps the whole field among the recent ones (a regional run
    /// needs a small part of each).
    func read(_ variable: String, timeIndex: Int, cells: CellSubset) async throws -> [Float] {
        guard let grid = dataset.descriptor.grid.cells else {
            throw CubeError(.invalidInput, "'\(dataset.path)' is not a cell grid: its variable '\(variable)' has no cells to choose",
                            context: ["file": dataset.path, "variable": variable])
        }
        guard let row = dataset.messages[variable], timeIndex < row.count, let message = row[timeIndex] else {
            throw CubeError(.invalidInput, "'\(dataset.path)' has no GRIB variable '\(variable)' at time step \(timeIndex)",
                            context: ["file": dataset.path, "variable": variable])
        }
        guard (cells.runs.last?.upperBound ?? 0) <= grid.count else {
            throw CubeError(.invalidInput, "'\(dataset.path)': cells up to \((cells.runs.last?.upperBound ?? 1) - 1) asked of \(grid.summary)",
                            context: ["file": dataset.path, "variable": variable])
        }
        // Pages are mapped as the runs touch them: a regional subset reads a part of the message.
        // Other packings are decoded whole from the same mapping, then gathered.
        let path = dataset.path
        return try GRIBMappedMessage.with(path, offset: message.offset, length: message.length, populate: false) { bytes in
            if let layout = GRIBSimplePacking.layout(bytes), layout.points == grid.count, layout.points == message.numberOfDataPoints,
               let own = GRIBSimplePacking.decode(bytes, layout, runs: cells.runs) {
                return own
            }
            let whole = try cellValues(try GRIBReader.values(bytes, path: path, message), message, grid)
            return whole.withUnsafeBufferPointer { cells.gather(from: $0) }
        }
    }
}
