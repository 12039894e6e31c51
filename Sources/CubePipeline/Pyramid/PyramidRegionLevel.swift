/// One task region's pixels reduced to one pyramid level: for each level cell the region
/// reaches, the running state of a pyramid method over the region's valid level-0 pixels of
/// that cell (sum and count for `mean`, the extreme for `min`/`max`, the top-left pixel for
/// `first`).
///
/// Level `k + 1` is reduced from level `k` (cell `(i, j)` from cells `2i…2i+1 × 2j…2j+1`), so a
/// region's level-0 pixels are walked once, however many levels there are. Cells are numbered
/// on the whole level, so a cell that other regions share holds only this region's part; the
/// parts combine like pixels do (`PyramidTiles`). Sums are kept in `Double`: they are exact
/// sums of `Float` pixels for any realistic cell, so they do not depend on how cells group.
/// `mode` does not reduce (it needs every pixel): `PyramidTiles` walks level 0 for it.
struct PyramidRegionLevel {
    /// The level's cells the region reaches (cell indices of the whole level).
    let rows: Range<Int>
    let columns: Range<Int>
    /// Per cell, row-major over `rows × columns`: the sum, extreme or top-left value;
    /// meaningless where `counts` is 0.
    var values: [Double]
    /// Per cell: the valid level-0 pixels (for `first`, 1 when the top-left pixel is valid).
    var counts: [Int32]

    /// Level 1 of `plane` (row-major over the level-0 `rows × columns`, NaN = missing).
    /// - Precondition: `method` is not `mode`.
    init(halving plane: [Float], rows pixelRows: Range<Int>, columns pixelColumns: Range<Int>, method: PyramidMethod) {
        precondition(method != .mode, "mode does not reduce level by level")
        precondition(plane.count == pixelRows.count * pixelColumns.count, "a plane of \(plane.count) values for a \(pixelRows.count) × \(pixelColumns.count) region")
        let cellRows = PyramidRegionLevel.halved(pixelRows), cellColumns = PyramidRegionLevel.halved(pixelColumns)
        rows = cellRows
        columns = cellColumns
        let width = cellColumns.count
        var values = [Double](repeating: 0, count: cellRows.count * width)
        var counts = [Int32](repeating: 0, count: cellRows.count * width)
        let firstColumn = pixelColumns.lowerBound, cellOrigin = cellColumns.lowerBound
        if method == .mean {
            PyramidRegionLevel.halveMeans(plane, rows: pixelRows, columns: pixelColumns, into: &values, &counts, cellRows: cellRows,
                                          cellColumns: cellColumns)
            self.values = values
            self.counts = counts
            return
        }
        plane.withUnsafeBufferPointer { plane in
            values.withUnsafeMutableBufferPointer { values in
                counts.withUnsafeMutableBufferPointer { counts in
                    for r in pixelRows {
                        if method == .first && r & 1 != 0 { continue }
                        let source = plane.baseAddress! + (r - pixelRows.lowerBound) * pixelColumns.count - firstColumn
                        let cellRow = ((r >> 1) - cellRows.lowerBound) * width - cellOrigin
                        let sums = values.baseAddress! + cellRow, valid = counts.baseAddress! + cellRow
                        switch method {
                        case .mean:
                            for c in pixelColumns {
                                let v = source[c]
                                let missing = v.isNaN
                                sums[c >> 1] += missing ? 0 : Double(v)
                                valid[c >> 1] &+= missing ? 0 : 1
                            }
                        case .first:
                            var c = (firstColumn + 1) & ~1
                            while c < pixelColumns.upperBound {
                                let v = source[c]
                                if !v.isNaN {
                                    sums[c >> 1] = Double(v)
                                    valid[c >> 1] = 1
                                }
                                c += 2
                            }
                        case .min, .max:
                            for c in pixelColumns {
                                let v = source[c]
                                if v.isNaN { continue }
                                let cell = c >> 1
                                sums[cell] = valid[cell] == 0 ? Double(v)
                                    : method == .min ? Swift.min(sums[cell], Double(v)) : Swift.max(sums[cell], Double(v))
                                valid[cell] &+= 1
                            }
                        case .mode:
                            break
                        }
                    }
                }
            }
        }
        self.values = values
        self.counts = counts
    }

    /// `mean`'s level 1: the sums and counts of each cell's (up to) 2 × 2 valid pixels, a pair of
    /// rows and a pair of columns at a time (one store per cell and row pair).
    private static func halveMeans(_ plane: [Float], rows pixelRows: Range<Int>, columns pixelColumns: Range<Int>,
                                   into values: inout [Double], _ counts: inout [Int32], cellRows: Range<Int>, cellColumns: Range<Int>) {
        let width = cellColumns.count, pixelWidth = pixelColumns.count
        // Columns of whole pairs; a lone first (odd) or last column is added on its own.
        let pairsStart = (pixelColumns.lowerBound + 1) & ~1, pairsEnd = pixelColumns.upperBound & ~1
        plane.withUnsafeBufferPointer { plane in
            values.withUnsafeMutableBufferPointer { values in
                counts.withUnsafeMutableBufferPointer { counts in
                    var r = pixelRows.lowerBound
                    while r < pixelRows.upperBound {
                        let pair = r & 1 == 0 && r + 1 < pixelRows.upperBound
                        let a = plane.baseAddress! + (r - pixelRows.lowerBound) * pixelWidth - pixelColumns.lowerBound
                        let b = pair ? a + pixelWidth : a
                        let cellRow = ((r >> 1) - cellRows.lowerBound) * width - cellColumns.lowerBound
                        let sums = values.baseAddress! + cellRow, valid = counts.baseAddress! + cellRow
                        @inline(__always) func add(_ v: Float, _ c: Int) {
                            guard !v.isNaN else { return }
                            sums[c >> 1] += Double(v)
                            valid[c >> 1] += 1
                        }
                        @inline(__always) func single(_ c: Int) {
                            add(a[c], c)
                            if pair { add(b[c], c) }
                        }
                        if pixelColumns.lowerBound < pairsStart { single(pixelColumns.lowerBound) }
                        var c = pairsStart
                        if pair {
                            while c < pairsEnd {
                                let v0 = a[c], v1 = a[c + 1], v2 = b[c], v3 = b[c + 1]
                                let s0 = (v0.isNaN ? 0 : Double(v0)) + (v1.isNaN ? 0 : Double(v1))
                                let s1 = (v2.isNaN ? 0 : Double(v2)) + (v3.isNaN ? 0 : Double(v3))
                                sums[c >> 1] = s0 + s1
                                valid[c >> 1] = (v0.isNaN ? 0 : 1) + (v1.isNaN ? 0 : 1) + (v2.isNaN ? 0 : 1) + (v3.isNaN ? 0 : 1)
                                c += 2
                            }
                        } else {
                            while c < pairsEnd {
                                let v0 = a[c], v1 = a[c + 1]
                                sums[c >> 1] += (v0.isNaN ? 0 : Double(v0)) + (v1.isNaN ? 0 : Double(v1))
                                valid[c >> 1] += (v0.isNaN ? 0 : 1) + (v1.isNaN ? 0 : 1)
                                c += 2
                            }
                        }
                        if pairsEnd < pixelColumns.upperBound && pairsEnd >= pairsStart { single(pairsEnd) }
                        r += pair ? 2 : 1
                    }
                }
            }
        }
    }

    /// The next level: each cell combines the (up to four) cells of this level it covers.
    func halved(_ method: PyramidMethod) -> PyramidRegionLevel {
        let nextRows = PyramidRegionLevel.halved(rows), nextColumns = PyramidRegionLevel.halved(columns)
        let width = nextColumns.count
        var next = PyramidRegionLevel(rows: nextRows, columns: nextColumns,
                                      values: [Double](repeating: 0, count: nextRows.count * width),
                                      counts: [Int32](repeating: 0, count: nextRows.count * width))
        let sourceWidth = columns.count
        next.values.withUnsafeMutableBufferPointer { nextValues in
            next.counts.withUnsafeMutableBufferPointer { nextCounts in
                for r in rows {
                    if method == .first && r & 1 != 0 { continue }
                    let source = (r - rows.lowerBound) * sourceWidth - columns.lowerBound
                    let cellRow = ((r >> 1) - nextRows.lowerBound) * width - nextColumns.lowerBound
                    var c = method == .first ? (columns.lowerBound + 1) & ~1 : columns.lowerBound
                    while c < columns.upperBound {
                        let count = counts[source + c]
                        if count > 0 {
                            PyramidRegionLevel.merge(method, values[source + c], count, into: nextValues.baseAddress!, nextCounts.baseAddress!,
                                                     at: cellRow + (c >> 1))
                        }
                        c += method == .first ? 2 : 1
                    }
                }
            }
        }
        return next
    }

    /// Combines this region's cells within `cellRows × cellColumns` into a tile's state
    /// (`tileValues`/`tileCounts`, row-major `tileColumns` wide, the tile's first cell at
    /// `tileOrigin`).
    func combine(_ method: PyramidMethod, rows cellRows: Range<Int>, columns cellColumns: Range<Int>,
                 into tileValues: UnsafeMutablePointer<Double>, _ tileCounts: UnsafeMutablePointer<Int32>,
                 tileOrigin: (y: Int, x: Int), tileColumns: Int) {
        values.withUnsafeBufferPointer { values in
            counts.withUnsafeBufferPointer { counts in
                for r in cellRows {
                    let source = (r - rows.lowerBound) * columns.count - columns.lowerBound
                    let target = (r - tileOrigin.y) * tileColumns - tileOrigin.x
                    for c in cellColumns {
                        let count = counts[source + c]
                        guard count > 0 else { continue }
                        PyramidRegionLevel.merge(method, values[source + c], count, into: tileValues, tileCounts, at: target + c)
                    }
                }
            }
        }
    }

    /// Merges one cell's state (`value` over `count` valid pixels, `count` > 0) into cell `cell`
    /// of `values`/`counts`, as the method combines parts of a cell.
    @inline(__always)
    private static func merge(_ method: PyramidMethod, _ value: Double, _ count: Int32, into values: UnsafeMutablePointer<Double>,
                              _ counts: UnsafeMutablePointer<Int32>, at cell: Int) {
        switch method {
        case .mean: values[cell] += value
        case .first: values[cell] = value
        case .min: values[cell] = counts[cell] == 0 ? value : Swift.min(values[cell], value)
        case .max: values[cell] = counts[cell] == 0 ? value : Swift.max(values[cell], value)
        case .mode: break
        }
        counts[cell] &+= count
    }

    private init(rows: Range<Int>, columns: Range<Int>, values: [Double], counts: [Int32]) {
        self.rows = rows
        self.columns = columns
        self.values = values
        self.counts = counts
    }

    /// The cells of the next level that `range` (cells of this level, not empty) reaches.
    static func halved(_ range: Range<Int>) -> Range<Int> {
        (range.lowerBound >> 1)..<(((range.upperBound - 1) >> 1) + 1)
    }
}
