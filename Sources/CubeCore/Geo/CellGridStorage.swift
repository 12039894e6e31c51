/// How a file stores the cells of a cell grid (`SourceGrid.cells`) along its one horizontal
/// dimension: every cell in grid order, or a subset (a regional HEALPix file) or another order, named
/// by an index coordinate (CF-1.13 `healpix_index`).
///
/// Readers return values in grid order (column `k` is cell `k`), so a file that stores a subset is
/// read by its stored positions and scattered: cells the file lacks are NaN, as missing values.
///
/// ```swift
/// let storage = try CellGridStorage(dimension: "cell", cellCount: 48, indices: [5, 6, 7])
/// storage.storedRange(covering: 0..<48)                      // 0..<3
/// storage.scatter([1, 2, 3], stored: 0..<3, into: 4..<8)     // [nan, 1, 2, 3]
/// ```
public struct CellGridStorage: Hashable, Sendable {
    /// The name of the cell dimension.
    public var dimension: String
    /// The number of cells of the grid (`CellGridGeometry.count`).
    public var cellCount: Int
    /// The grid cell at each stored position, or `nil` when position `k` holds cell `k` for every cell.
    public var indices: [Int]?
    /// Whether `indices` increase strictly (a coordinate variable, CF's recommendation): reads then
    /// fetch only the stored positions a window needs.
    public let isAscending: Bool
    /// The grid-mapping variable the grid was described by, if any.
    public var mappingName: String?
    /// That variable's attributes, as stored (ellipsoid parameters included: recorded, not used, the
    /// geometry being spherical).
    public var mappingAttributes: [Attribute]

    /// Creates a storage description.
    /// - Parameter indices: the grid cell at each stored position; `nil` for every cell in grid order.
    /// - Throws: `CubeError` (`.invalidInput`) when an index is outside `0..<cellCount` or repeats;
    ///   the message names the position and value (callers prefix the file and variable).
    public init(dimension: String, cellCount: Int, indices: [Int]?, mappingName: String? = nil, mappingAttributes: [Attribute] = []) throws {
        self.dimension = dimension
        self.cellCount = cellCount
        self.mappingName = mappingName
        self.mappingAttributes = mappingAttributes
        guard let indices else {
            self.indices = nil
            isAscending = true
            return
        }
        if let bad = indices.firstIndex(where: { $0 < 0 || $0 >= cellCount }) {
            throw CubeError(.invalidInput, "index \(indices[bad]) at position \(bad) is outside 0…\(cellCount - 1)")
        }
        var ascending = true
        for k in indices.indices.dropFirst() where indices[k] <= indices[k - 1] {
            ascending = false
            break
        }
        if !ascending {
            var first: [Int: Int] = [:]
            first.reserveCapacity(indices.count)
            for (position, index) in indices.enumerated() {
                if let earlier = first.updateValue(position, forKey: index) {
                    throw CubeError(.invalidInput, "index \(index) appears twice (positions \(earlier) and \(position))")
                }
            }
        }
        isAscending = ascending
        // Every cell in grid order needs no index.
        self.indices = ascending && indices.count == cellCount ? nil : indices
    }

    /// The number of stored positions.
    public var storedCount: Int { indices?.count ?? cellCount }

    /// Whether a read needs `scatter` (the file stores a subset or another order).
    public var needsScatter: Bool { indices != nil }

    /// The stored positions that hold every stored cell in `columns` (grid cell indices): for
    /// ascending indices the positions between the first and last such cell, otherwise all.
    public func storedRange(covering columns: Range<Int>) -> Range<Int> {
        guard let indices else { return columns.clamped(to: 0..<cellCount) }
        guard isAscending else { return 0..<indices.count }
        return firstPosition(notBelow: columns.lowerBound)..<firstPosition(notBelow: columns.upperBound)
    }

    /// Places the values of stored positions `stored` at their cells inside `columns`; every other
    /// cell of `columns` is NaN.
    public func scatter(_ values: [Float], stored: Range<Int>, into columns: Range<Int>) -> [Float] {
        guard let indices else { return values }
        var out = [Float](repeating: .nan, count: columns.count)
        for (value, position) in zip(values, stored) {
            let cell = indices[position]
            if columns.contains(cell) { out[cell - columns.lowerBound] = value }
        }
        return out
    }

    /// The first position whose index is at least `cell` (ascending indices).
    private func firstPosition(notBelow cell: Int) -> Int {
        guard let indices else { return cell }
        var (low, high) = (0, indices.count)
        while low < high {
            let middle = (low + high) / 2
            if indices[middle] < cell { low = middle + 1 } else { high = middle }
        }
        return low
    }
}
