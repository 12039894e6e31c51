/// One resolution level of a multi-resolution dataset (an xcube `.levels` pyramid, later COG
/// overviews): its index, where it is stored and its grid.
public struct ResolutionLevel: Hashable, Sendable {
    /// The level's index: 0 is full resolution, each next one coarser.
    public var index: Int
    /// Where the level is stored, relative to the dataset (`0.zarr`).
    public var path: String
    /// The level's grid.
    public var grid: SourceGrid

    /// Creates a level description.
    public init(index: Int, path: String, grid: SourceGrid) {
        self.index = index
        self.path = path
        self.grid = grid
    }
}
