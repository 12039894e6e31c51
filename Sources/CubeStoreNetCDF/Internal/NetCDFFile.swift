internal import CNetCDF
import CubeCore

/// An open netCDF file; closed when the last reference goes away.
///
/// `@unchecked Sendable`: `ncid` is immutable and every use of it happens while holding
/// `NetCDFLibrary`'s lock, including the close in `deinit`.
final class NetCDFFile: @unchecked Sendable {
    let ncid: Int32
    let path: String

    /// Opens `path` read-only.
    init(path: String) throws {
        self.path = path
        var id: Int32 = 0
        try NetCDFLibrary.call { try NetCDFCalls.check(nc_open(path, NC_NOWRITE, &id), "nc_open", path) }
        ncid = id
    }

    deinit {
        let id = ncid
        NetCDFLibrary.call { _ = nc_close(id) }
    }

    /// The file's dimensions, variables and attributes (no data values).
    func structure() throws -> NetCDFStructure {
        try NetCDFLibrary.call {
            var ndims: Int32 = 0, nvars: Int32 = 0, ngatts: Int32 = 0, unlimited: Int32 = -1
            try NetCDFCalls.check(nc_inq(ncid, &ndims, &nvars, &ngatts, &unlimited), "nc_inq", path)
            var dimensionIDs = [Int32](repeating: 0, count: Int(ndims))
            var count: Int32 = 0
            try NetCDFCalls.check(nc_inq_dimids(ncid, &count, &dimensionIDs, 0), "nc_inq_dimids", path)
            var dimensions: [Int32: (name: String, length: Int)] = [:]
            for id in dimensionIDs.prefix(Int(count)) {
                var length = 0
                let name = try NetCDFCalls.name({ nc_inq_dimname(ncid, id, $0) }, "nc_inq_dimname", path)
                try NetCDFCalls.check(nc_inq_dimlen(ncid, id, &length), "nc_inq_dimlen", path)
                dimensions[id] = (name, length)
            }
            var variables: [NetCDFStructure.Variable] = []
            for varid in 0..<nvars {
                let name = try NetCDFCalls.name({ nc_inq_varname(ncid, varid, $0) }, "nc_inq_varname", path)
                var type: nc_type = 0, varDims: Int32 = 0
                try NetCDFCalls.check(nc_inq_vartype(ncid, varid, &type), "nc_inq_vartype", path)
                try NetCDFCalls.check(nc_inq_varndims(ncid, varid, &varDims), "nc_inq_varndims", path)
                var ids = [Int32](repeating: 0, count: Int(varDims))
                try NetCDFCalls.check(nc_inq_vardimid(ncid, varid, &ids), "nc_inq_vardimid", path)
                let dims = ids.map { dimensions[$0] ?? ("?", 0) }
                variables.append(NetCDFStructure.Variable(
                    id: varid, name: name, dataType: NetCDFCalls.dataType(type), dimensions: dims.map(\.name),
                    shape: dims.map(\.length), attributes: try NetCDFCalls.attributes(ncid: ncid, varid: varid, path: path)))
            }
            return NetCDFStructure(
                variables: variables,
                attributes: try NetCDFCalls.attributes(ncid: ncid, varid: NC_GLOBAL, path: path))
        }
    }

    /// The most values a coordinate variable may hold (2^27, 1 GiB as doubles): a larger one is a
    /// damaged or hostile header, refused before it is allocated.
    static let maximumCoordinateValues = 1 << 27

    /// Reads a whole (small) variable as doubles; for coordinates.
    /// - Throws: `NetCDFError` when it holds more than `maximumCoordinateValues` values.
    func readDoubles(_ variable: NetCDFStructure.Variable) throws -> [Double] {
        var count = 1
        for length in variable.shape {
            let (product, overflow) = count.multipliedReportingOverflow(by: max(length, 0))
            guard !overflow, product <= NetCDFFile.maximumCoordinateValues else {
                throw NetCDFError(status: -1, function: "nc_get_var_double", path: path,
                                  reason: "coordinate variable '\(variable.name)' has shape \(variable.shape), more than \(NetCDFFile.maximumCoordinateValues) values")
            }
            count = product
        }
        var values = [Double](repeating: 0, count: count)
        try NetCDFLibrary.call {
            try NetCDFCalls.check(nc_get_var_double(ncid, variable.id, &values), "nc_get_var_double(\(variable.name))", path)
        }
        return values
    }

    /// Reads a hyperslab as floats, converting from the stored type; the caller holds the lock.
    func readFloatsLocked(varid: Int32, name: String, start: [Int], count: [Int], into buffer: UnsafeMutablePointer<Float>) throws {
        try NetCDFCalls.check(nc_get_vara_float(ncid, varid, start, count, buffer), "nc_get_vara_float(\(name))", path)
    }
}

/// The raw structure of a netCDF file.
struct NetCDFStructure: Sendable {
    struct Variable: CFVariableMetadata {
        var id: Int32
        var name: String
        var dataType: DataType?
        var dimensions: [String]
        var shape: [Int]
        var attributes: [Attribute]
    }

    var variables: [Variable]
    var attributes: [Attribute]

    func variable(_ name: String) -> Variable? { variables.first { $0.name == name } }
}
