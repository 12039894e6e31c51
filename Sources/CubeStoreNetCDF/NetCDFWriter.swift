internal import CNetCDF
public import CubeCore

/// Writes a netCDF file: dimensions, variables, attributes, then values.
///
/// Used to make sample and test inputs; a minimal writer, not an export path for cubes. All calls
/// are serialised with the readers'.
public final class NetCDFWriter {
    /// The on-disk format.
    public enum Format: Sendable {
        /// NetCDF-3 classic (CDF-1).
        case classic
        /// NetCDF-3 64-bit offset (CDF-2).
        case offset64
        /// NetCDF-4 (HDF5), which supports compression and chunking.
        case netCDF4
    }

    private let ncid: Int32
    private let path: String
    private var variables: [String: Int32] = [:]
    private var dimensions: [String: Int32] = [:]
    private var closed = false

    /// Creates (or replaces) the file at `path`.
    /// - Throws: `NetCDFError` when the file cannot be created.
    public init(path: String, format: Format) throws {
        self.path = path
        var id: Int32 = 0
        let mode: Int32
        switch format {
        case .classic: mode = NC_CLOBBER
        case .offset64: mode = NC_CLOBBER | NC_64BIT_OFFSET
        case .netCDF4: mode = NC_CLOBBER | NC_NETCDF4
        }
        try NetCDFLibrary.call { try NetCDFCalls.check(nc_create(path, mode, &id), "nc_create", path) }
        ncid = id
    }

    deinit { if !closed { let id = ncid; NetCDFLibrary.call { _ = nc_close(id) } } }

    /// Defines a dimension; `length` `nil` makes it unlimited.
    public func defineDimension(_ name: String, length: Int?) throws {
        var id: Int32 = 0
        try NetCDFLibrary.call {
            try NetCDFCalls.check(nc_def_dim(ncid, name, length ?? Int(NC_UNLIMITED), &id), "nc_def_dim(\(name))", path)
        }
        dimensions[name] = id
    }

    /// Defines a variable over named dimensions; `chunks` and `deflateLevel` apply to NetCDF-4 only.
    public func defineVariable(_ name: String, type: DataType, dimensions names: [String], chunks: [Int]? = nil,
                               deflateLevel: Int? = nil, shuffle: Bool = false) throws {
        let ids = try names.map { n -> Int32 in
            guard let id = dimensions[n] else { throw CubeError(.invalidInput, "dimension '\(n)' is not defined") }
            return id
        }
        var varid: Int32 = 0
        try NetCDFLibrary.call {
            try NetCDFCalls.check(nc_def_var(ncid, name, NetCDFCalls.ncType(type), Int32(ids.count), ids, &varid),
                                  "nc_def_var(\(name))", path)
            if let chunks {
                try NetCDFCalls.check(nc_def_var_chunking(ncid, varid, NC_CHUNKED, chunks), "nc_def_var_chunking(\(name))", path)
            }
            if let deflateLevel {
                try NetCDFCalls.check(nc_def_var_deflate(ncid, varid, shuffle ? 1 : 0, 1, Int32(deflateLevel)),
                                      "nc_def_var_deflate(\(name))", path)
            }
        }
        variables[name] = varid
    }

    /// Sets an attribute of `variable`, or a global attribute when `variable` is `nil`. Numbers are
    /// stored in `type` (the variable's own type for `_FillValue` and packing attributes).
    public func setAttribute(_ name: String, _ value: AttributeValue, variable: String? = nil, type: DataType = .float64) throws {
        let varid = try variable.map(id) ?? NC_GLOBAL
        try NetCDFLibrary.call {
            switch value {
            case let .text(text):
                try NetCDFCalls.check(nc_put_att_text(ncid, varid, name, text.utf8.count, text), "nc_put_att_text(\(name))", path)
            case let .reals(values):
                try NetCDFCalls.check(nc_put_att_double(ncid, varid, name, NetCDFCalls.ncType(type), values.count, values),
                                      "nc_put_att_double(\(name))", path)
            case let .integers(values):
                try NetCDFCalls.check(nc_put_att_longlong(ncid, varid, name, NetCDFCalls.ncType(type), values.count, values),
                                      "nc_put_att_longlong(\(name))", path)
            }
        }
    }

    /// Leaves define mode; call once before writing values.
    public func endDefinitions() throws {
        try NetCDFLibrary.call { try NetCDFCalls.check(nc_enddef(ncid), "nc_enddef", path) }
    }

    /// Writes values into `variable` at `start` with extent `count` (whole variable when both are nil);
    /// values are converted to the variable's type by the library.
    public func write(_ variable: String, _ values: [Double], start: [Int]? = nil, count: [Int]? = nil) throws {
        let varid = try id(variable)
        try NetCDFLibrary.call {
            if let start, let count {
                try NetCDFCalls.check(nc_put_vara_double(ncid, varid, start, count, values), "nc_put_vara_double(\(variable))", path)
            } else {
                try NetCDFCalls.check(nc_put_var_double(ncid, varid, values), "nc_put_var_double(\(variable))", path)
            }
        }
    }

    /// Closes the file, flushing everything.
    public func close() throws {
        guard !closed else { return }
        closed = true
        try NetCDFLibrary.call { try NetCDFCalls.check(nc_close(ncid), "nc_close", path) }
    }

    private func id(_ variable: String) throws -> Int32 {
        guard let id = variables[variable] else { throw CubeError(.invalidInput, "variable '\(variable)' is not defined") }
        return id
    }
}
