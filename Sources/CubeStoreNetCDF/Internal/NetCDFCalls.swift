internal import CNetCDF
import CubeCore
import Foundation

/// Thin wrappers around `nc_*` calls: status → `NetCDFError`. Callers hold `NetCDFLibrary`'s lock.
enum NetCDFCalls {
    static func check(_ status: Int32, _ function: String, _ path: String) throws(NetCDFError) {
        guard status == NC_NOERR else {
            throw NetCDFError(status: status, function: function, path: path, reason: String(cString: nc_strerror(status)))
        }
    }

    static func name(_ body: (UnsafeMutablePointer<CChar>) -> Int32, _ function: String, _ path: String) throws -> String {
        var buffer = [CChar](repeating: 0, count: Int(NC_MAX_NAME) + 1)
        try check(buffer.withUnsafeMutableBufferPointer { body($0.baseAddress!) }, function, path)
        return String(decoding: buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }

    /// Reads every attribute of `varid` (`NC_GLOBAL` for global attributes), in file order.
    static func attributes(ncid: Int32, varid: Int32, path: String) throws -> [Attribute] {
        var count: Int32 = 0
        if varid == NC_GLOBAL {
            try check(nc_inq_natts(ncid, &count), "nc_inq_natts", path)
        } else {
            try check(nc_inq_varnatts(ncid, varid, &count), "nc_inq_varnatts", path)
        }
        var result: [Attribute] = []
        for index in 0..<count {
            let name = try self.name({ nc_inq_attname(ncid, varid, index, $0) }, "nc_inq_attname", path)
            if let value = try attribute(ncid: ncid, varid: varid, name: name, path: path) {
                result.append(Attribute(name, value))
            }
        }
        return result
    }

    static func attribute(ncid: Int32, varid: Int32, name: String, path: String) throws -> AttributeValue? {
        var type: nc_type = 0
        var length = 0
        try check(nc_inq_att(ncid, varid, name, &type, &length), "nc_inq_att(\(name))", path)
        switch type {
        case NC_CHAR:
            var chars = [CChar](repeating: 0, count: length + 1)
            try check(nc_get_att_text(ncid, varid, name, &chars), "nc_get_att_text(\(name))", path)
            let text = String(decoding: chars.prefix(length).map { UInt8(bitPattern: $0) }, as: UTF8.self)
            return .text(text.trimmingCharacters(in: .controlCharacters))
        case NC_STRING:
            var pointers = [UnsafeMutablePointer<CChar>?](repeating: nil, count: length)
            try check(nc_get_att_string(ncid, varid, name, &pointers), "nc_get_att_string(\(name))", path)
            defer { nc_free_string(length, &pointers) }
            return .text(pointers.compactMap { $0.map { String(cString: $0) } }.joined(separator: "\n"))
        case NC_FLOAT, NC_DOUBLE:
            var values = [Double](repeating: 0, count: length)
            try check(nc_get_att_double(ncid, varid, name, &values), "nc_get_att_double(\(name))", path)
            return .reals(values)
        case NC_BYTE, NC_SHORT, NC_INT, NC_UBYTE, NC_USHORT, NC_UINT, NC_INT64, NC_UINT64:
            var values = [Int64](repeating: 0, count: length)
            try check(nc_get_att_longlong(ncid, varid, name, &values), "nc_get_att_longlong(\(name))", path)
            return .integers(values)
        default:
            return nil
        }
    }

    static func dataType(_ type: nc_type) -> DataType? {
        switch type {
        case NC_BYTE: return .int8
        case NC_UBYTE: return .uint8
        case NC_SHORT: return .int16
        case NC_USHORT: return .uint16
        case NC_INT: return .int32
        case NC_UINT: return .uint32
        case NC_INT64: return .int64
        case NC_UINT64: return .uint64
        case NC_FLOAT: return .float32
        case NC_DOUBLE: return .float64
        default: return nil
        }
    }

    static func ncType(_ type: DataType) -> nc_type {
        switch type {
        case .int8: return NC_BYTE
        case .uint8: return NC_UBYTE
        case .int16: return NC_SHORT
        case .uint16: return NC_USHORT
        case .int32: return NC_INT
        case .uint32: return NC_UINT
        case .int64: return NC_INT64
        case .uint64: return NC_UINT64
        case .float32: return NC_FLOAT
        case .float64: return NC_DOUBLE
        }
    }
}
