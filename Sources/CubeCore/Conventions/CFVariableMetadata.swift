/// What the CF conventions need to know about one variable of a file or store, before reading it:
/// the common view NetCDF and Zarr stores give `CFAxes` and `CFDatasetDescription`.
public protocol CFVariableMetadata: Sendable {
    /// The variable's name.
    var name: String { get }
    /// The stored element type, or `nil` when it is not numeric (text, compound).
    var dataType: DataType? { get }
    /// Its dimension names, in storage order.
    var dimensions: [String] { get }
    /// Its shape, in storage order.
    var shape: [Int] { get }
    /// Its attributes, in stored order.
    var attributes: [Attribute] { get }
}
