public import CubeCore

extension ResamplingWeights {
    /// These weights (made for a whole cell-grid field: an index is a cell) reading the values of
    /// `subset` instead (`CellSubset`: an index is a position in the subset), or `nil` when a tap
    /// reads a cell the subset lacks.
    public func reading(_ subset: CellSubset) -> ResamplingWeights? {
        var mapped = indices
        let complete = mapped.withUnsafeMutableBufferPointer { idx -> Bool in
            // Neighbouring taps often read the same cell: the last lookup is reused.
            var lastCell: Int32 = -1, lastPosition: Int32 = -1
            for k in idx.indices where idx[k] >= 0 {
                let cell = idx[k]
                if cell != lastCell {
                    guard let position = subset.position(of: Int(cell)) else { return false }
                    lastCell = cell
                    lastPosition = Int32(position)
                }
                idx[k] = lastPosition
            }
            return true
        }
        guard complete else { return nil }
        return ResamplingWeights(taps: taps, offsets: offsets, indices: mapped, weights: weights, reduction: reduction,
                                 minimumWeight: minimumWeight)
    }
}
