import CubeRecipe

/// Combines the resampled planes of the files of one date (the tiles of a mosaic) into one
/// plane under the source's `mosaic` rule; missing values (NaN) never win. Planes arrive in path
/// order.
///
/// Layout: every plane and the result hold the task's target pixels row-major, the same
/// `cells` values each; the result for pixel `k` depends only on the planes' pixel `k`.
struct MosaicAccumulator {
    let rule: MosaicRule
    private var values: [Float]
    private var counts: [Int32]

    /// Starts an empty mosaic of `cells` pixels.
    init(_ rule: MosaicRule, cells: Int) {
        self.rule = rule
        values = [Float](repeating: .nan, count: cells)
        counts = rule == .mean ? [Int32](repeating: 0, count: cells) : []
    }

    /// Adds the next tile's plane.
    mutating func add(_ plane: UnsafeBufferPointer<Float>) {
        let rule = self.rule
        values.withUnsafeMutableBufferPointer { out in
            switch rule {
            case .first:
                for k in out.indices where out[k].isNaN { out[k] = plane[k] }
            case .last:
                for k in out.indices where !plane[k].isNaN { out[k] = plane[k] }
            case .min:
                for k in out.indices where !plane[k].isNaN && !(out[k] <= plane[k]) { out[k] = plane[k] }
            case .max:
                for k in out.indices where !plane[k].isNaN && !(out[k] >= plane[k]) { out[k] = plane[k] }
            case .mean:
                counts.withUnsafeMutableBufferPointer { n in
                    for k in out.indices where !plane[k].isNaN {
                        out[k] = n[k] == 0 ? plane[k] : out[k] + plane[k]
                        n[k] += 1
                    }
                }
            }
        }
    }

    /// Writes the mosaic into `output`.
    func finish(into output: UnsafeMutableBufferPointer<Float>) {
        for k in values.indices {
            output[k] = rule == .mean && counts[k] > 0 ? values[k] / Float(counts[k]) : values[k]
        }
    }
}
