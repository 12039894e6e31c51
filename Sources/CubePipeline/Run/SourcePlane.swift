import CubeCore

/// Decoded values of one source time step over a window of the source grid.
struct SourcePlane: Sendable {
    var values: [Float]
    var window: PixelWindow

    var bytes: Int { values.count * MemoryLayout<Float>.size }
}

/// Identifies a cached source plane: source, variable, file and step within the file.
struct PlaneKey: Hashable, Sendable {
    var source: Int
    var variable: String
    var file: Int
    var index: Int
    /// The indices along the source variable's member and vertical dimensions
    /// (`VariablePlan.sourceSelection`), empty for none.
    var selection: [Int] = []
}

/// Identifies a cached pixel mapping: source grid, target chunk row/column, and whether it maps
/// pixel corners (area methods) or centres.
struct MappingKey: Hashable, Sendable {
    var source: Int
    /// The index of the grid in the source's `grids` (0 unless the source mosaics tiles).
    var grid: Int = 0
    var y: Int
    var x: Int
    var corners: Bool = false
}
