import CubeCatalog
import Synchronization

/// Keeps, while the chunks are computed, the values of the last time step that the quick-looks
/// show (at most `QuicklookSampling`'s 1024 pixels on the long side per variable), so no chunk
/// has to be read back. Values are those computed before packing.
final class QuicklookCapture: Sendable {
    /// The output time step captured.
    let step: Int
    /// The sampled field rows and columns.
    let sampling: QuicklookSampling
    private let planes: Mutex<[[Float]]>

    init(step: Int, width: Int, height: Int, variables: Int) {
        self.step = step
        sampling = QuicklookSampling(width: width, height: height)
        planes = Mutex([[Float]](repeating: [Float](repeating: .nan, count: sampling.columns.count * sampling.rows.count),
                                 count: variables))
    }

    /// Copies the sampled pixels of one region's plane (row-major over `rows` × `columns`).
    func record(variable: Int, plane: [Float], rows: Range<Int>, columns: Range<Int>) {
        let sampledRows = sampling.rows.indices.filter { rows.contains(sampling.rows[$0]) }
        let sampledColumns = sampling.columns.indices.filter { columns.contains(sampling.columns[$0]) }
        guard !sampledRows.isEmpty, !sampledColumns.isEmpty else { return }
        let width = sampling.columns.count, regionWidth = columns.count
        planes.withLock { planes in
            for r in sampledRows {
                let source = (sampling.rows[r] - rows.lowerBound) * regionWidth
                for c in sampledColumns { planes[variable][r * width + c] = plane[source + sampling.columns[c] - columns.lowerBound] }
            }
        }
    }

    /// The captured field of `variable`, row by row as stored.
    func field(_ variable: Int) -> [Float] { planes.withLock { $0[variable] } }
}
