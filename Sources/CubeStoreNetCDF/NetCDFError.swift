/// A failed netCDF-C call: the status, the C function and the file.
public struct NetCDFError: Error, Sendable, CustomStringConvertible {
    /// The netCDF status code (`NC_NOERR` is 0; errors are negative or errno values).
    public var status: Int32
    /// The C function that failed, for example `"nc_get_vara_float"`.
    public var function: String
    /// The file involved.
    public var path: String
    /// The library's text for the status (`nc_strerror`).
    public var reason: String

    /// Creates an error.
    public init(status: Int32, function: String, path: String, reason: String) {
        self.status = status
        self.function = function
        self.path = path
        self.reason = reason
    }

    /// One line: `'a.nc': nc_open: No such file or directory`.
    public var description: String { "'\(path)': \(function): \(reason)" }
}
