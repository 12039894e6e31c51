public import CubeCore
public import CubeStoreNetCDF
import Foundation

/// A synthetic NetCDF input whose values are analytic functions of position and time, so the
/// expected result of any resampling can be computed rather than stored.
///
/// Used by `cubegen-sample-data` (the demo input) and by the tests. The layout is configurable
/// enough to exercise the store: NetCDF-3 or -4, any dimension order, either latitude direction,
/// −180…180 or 0…360 longitudes, projected grids, packing and fill values, every calendar.
public struct SampleDataset: Sendable {
    /// One variable of the sample.
    public struct Variable: Sendable {
        /// The variable name.
        public var name: String
        /// The stored type.
        public var dataType: DataType
        /// The physical value at (x, y, time value); `nil` for missing. x/y are lon/lat for
        /// geographic grids, projected coordinates otherwise.
        public var value: @Sendable (_ x: Double, _ y: Double, _ t: Double) -> Double?
        /// Extra attributes (units, long_name, _FillValue, scale_factor, …), written in the stored type
        /// for `_FillValue`, `missing_value`, `valid_*`.
        public var attributes: [Attribute]

        /// Creates a variable.
        public init(name: String, dataType: DataType, attributes: [Attribute],
                    value: @escaping @Sendable (_ x: Double, _ y: Double, _ t: Double) -> Double?) {
            self.name = name
            self.dataType = dataType
            self.value = value
            self.attributes = attributes
        }
    }

    /// The x (longitude or easting) cell centres.
    public var x: [Double]
    /// The y (latitude or northing) cell centres.
    public var y: [Double]
    /// Whether x/y are longitude/latitude.
    public var geographic: Bool
    /// CF grid-mapping attributes (written to a `crs` variable), or `nil` for none.
    public var gridMapping: [Attribute]?
    /// The stored time values.
    public var times: [Double]
    /// The time units text.
    public var timeUnits: String
    /// The calendar name, or `nil` to omit the attribute.
    public var calendar: String?
    /// The variables.
    public var variables: [Variable]
    /// The dimension order of data variables, from `["time", "y", "x"]` permuted.
    public var dimensionOrder: [String]
    /// The file format.
    public var format: NetCDFWriter.Format

    /// Creates a sample description.
    public init(x: [Double], y: [Double], geographic: Bool, gridMapping: [Attribute]? = nil, times: [Double],
                timeUnits: String, calendar: String? = "standard", variables: [Variable],
                dimensionOrder: [String] = ["time", "y", "x"], format: NetCDFWriter.Format = .netCDF4) {
        self.x = x
        self.y = y
        self.geographic = geographic
        self.gridMapping = gridMapping
        self.times = times
        self.timeUnits = timeUnits
        self.calendar = calendar
        self.variables = variables
        self.dimensionOrder = dimensionOrder
        self.format = format
    }

    /// Cell centres of a regular axis: `count` cells from `start` (first centre) by `step`.
    public static func axis(start: Double, step: Double, count: Int) -> [Double] {
        (0..<count).map { start + Double($0) * step }
    }

    /// Writes the file.
    /// - Throws: `NetCDFError` or `CubeError` when writing fails.
    public func write(to path: String) throws {
        let xName = geographic ? "lon" : "x", yName = geographic ? "lat" : "y"
        let names = ["time": "time", "y": yName, "x": xName]
        let writer = try NetCDFWriter(path: path, format: format)
        try writer.defineDimension("time", length: format == .netCDF4 ? nil : times.count)
        try writer.defineDimension(yName, length: y.count)
        try writer.defineDimension(xName, length: x.count)
        try writer.defineVariable("time", type: .float64, dimensions: ["time"])
        try writer.setAttribute("units", .text(timeUnits), variable: "time")
        if let calendar { try writer.setAttribute("calendar", .text(calendar), variable: "time") }
        try writer.setAttribute("standard_name", .text("time"), variable: "time")
        try writer.defineVariable(yName, type: .float64, dimensions: [yName])
        try writer.defineVariable(xName, type: .float64, dimensions: [xName])
        if geographic {
            try writer.setAttribute("units", .text("degrees_north"), variable: yName)
            try writer.setAttribute("units", .text("degrees_east"), variable: xName)
        } else {
            try writer.setAttribute("standard_name", .text("projection_y_coordinate"), variable: yName)
            try writer.setAttribute("standard_name", .text("projection_x_coordinate"), variable: xName)
            try writer.setAttribute("units", .text("m"), variable: yName)
            try writer.setAttribute("units", .text("m"), variable: xName)
        }
        if let gridMapping {
            try writer.defineVariable("crs", type: .int32, dimensions: [])
            for attribute in gridMapping { try writer.setAttribute(attribute.name, attribute.value, variable: "crs") }
        }
        let dims = dimensionOrder.map { names[$0] ?? $0 }
        for variable in variables {
            let chunks = format == .netCDF4 ? dimensionOrder.map { $0 == "time" ? 1 : ($0 == "y" ? y.count : x.count) } : nil
            try writer.defineVariable(variable.name, type: variable.dataType, dimensions: dims, chunks: chunks,
                                      deflateLevel: format == .netCDF4 ? 1 : nil, shuffle: format == .netCDF4)
            for attribute in variable.attributes {
                let typed = ["_FillValue", "missing_value", "valid_min", "valid_max", "valid_range"].contains(attribute.name)
                try writer.setAttribute(attribute.name, attribute.value, variable: variable.name,
                                        type: typed ? variable.dataType : .float64)
            }
            if gridMapping != nil { try writer.setAttribute("grid_mapping", .text("crs"), variable: variable.name) }
        }
        try writer.endDefinitions()
        try writer.write("time", times, start: [0], count: [times.count])
        try writer.write(yName, y)
        try writer.write(xName, x)
        if gridMapping != nil { try writer.write("crs", [0]) }
        for variable in variables {
            let packing = CFPacking(attributes: variable.attributes)
            let fill = packing.missingValues.first ?? -9999
            for (k, t) in times.enumerated() {
                var stored: [Double] = []
                stored.reserveCapacity(x.count * y.count)
                // Values in the order of the variable's dimensions, time fixed.
                let spatial = dimensionOrder.filter { $0 != "time" }
                let outer = spatial[0] == "y" ? y : x, inner = spatial[0] == "y" ? x : y
                for a in outer {
                    for b in inner {
                        let (xv, yv) = spatial[0] == "y" ? (b, a) : (a, b)
                        if let v = variable.value(xv, yv, t) {
                            let packed = (v - packing.addOffset) / packing.scaleFactor
                            stored.append(variable.dataType.isFloatingPoint ? packed : packed.rounded())
                        } else {
                            stored.append(fill)
                        }
                    }
                }
                var start = [Int](repeating: 0, count: 3), count = [Int](repeating: 0, count: 3)
                for (d, name) in dimensionOrder.enumerated() {
                    switch name {
                    case "time": start[d] = k; count[d] = 1
                    case "y": count[d] = y.count
                    default: count[d] = x.count
                    }
                }
                try writer.write(variable.name, stored, start: start, count: count)
            }
        }
        try writer.close()
    }
}
