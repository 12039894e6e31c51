/// What a data store knows about one variable before reading any of its values.
public struct VariableDescriptor: Hashable, Sendable {
    /// The variable's name in the source.
    public var name: String
    /// Its dimension names, in storage order.
    public var dimensions: [String]
    /// Its shape, in storage order.
    public var shape: [Int]
    /// The stored element type.
    public var dataType: DataType
    /// Its attributes, in file order.
    public var attributes: [Attribute]
    /// How stored values decode.
    public var packing: CFPacking
    /// How it is stored (chunks, codecs), where the store reports it.
    public var layout: VariableLayout?
    /// Other names the store also answers to for this variable, stable across files where the
    /// name is not (GRIB: `t_isobaricInhPa_850` for the `t` of a file holding only that level).
    public var aliases: [String] = []

    /// Creates a descriptor.
    public init(name: String, dimensions: [String], shape: [Int], dataType: DataType, attributes: [Attribute],
                packing: CFPacking) {
        self.name = name
        self.dimensions = dimensions
        self.shape = shape
        self.dataType = dataType
        self.attributes = attributes
        self.packing = packing
    }
}
