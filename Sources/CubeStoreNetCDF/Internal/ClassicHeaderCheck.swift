import Foundation

/// Checks the header of a NetCDF classic file (CDF-1, CDF-2 and CDF-5: "CDF\x01", "\x02", "\x05")
/// before netCDF-C opens it.
///
/// netCDF-C 4.9 trusts some header fields: a name length larger than the file makes
/// `nc_inq_dimname` read past its buffer (found by the `netcdf` fuzz target, kept in
/// `Fuzz/crashes/netcdf/`). Every count, length, type and offset of the header is checked here
/// against the file's size and the format's rules (NetCDF Classic Format Specification), so a
/// hostile or damaged header is a clear error and never reaches the C library.
struct ClassicHeaderCheck {
    /// Why the header is refused.
    struct Failure: Error, CustomStringConvertible {
        var reason: String
        var description: String { reason }
    }

    private let file: FileHandle
    private let size: Int
    private let version: UInt8
    private var offset = 4
    private var buffer: [UInt8] = []
    private var bufferStart = 0

    /// Checks the file at `path` when it starts with a classic magic number; other files pass.
    /// - Throws: `Failure` naming the first field that is out of bounds.
    static func check(path: String) throws {
        guard let file = FileHandle(forReadingAtPath: path) else { return }
        defer { try? file.close() }
        let size = Int((try? file.seekToEnd()) ?? 0)
        try? file.seek(toOffset: 0)
        let magic = [UInt8]((try? file.read(upToCount: 4)) ?? Data())
        guard magic.count == 4, magic[0] == 0x43, magic[1] == 0x44, magic[2] == 0x46 else { return }
        guard [1, 2, 5].contains(magic[3]) else { throw Failure(reason: "classic NetCDF version \(magic[3]) does not exist") }
        var check = ClassicHeaderCheck(file: file, size: size, version: magic[3])
        try check.run()
    }

    private init(file: FileHandle, size: Int, version: UInt8) {
        self.file = file
        self.size = size
        self.version = version
    }

    private mutating func run() throws {
        _ = try count(field: "numrecs", allowStreaming: true)
        let dimensions = try list(tag: 0x0A, field: "dimension list") { check in
            try check.name(field: "dimension name")
            _ = try check.count(field: "dimension length", limit: Int.max)
        }
        _ = try attributes(field: "global attribute list")
        _ = try list(tag: 0x0B, field: "variable list") { check in
            try check.name(field: "variable name")
            let rank = try check.count(field: "variable rank")
            for _ in 0..<rank {
                let id = try check.count(field: "dimension id", limit: Int.max)
                guard id < dimensions else { throw Failure(reason: "a variable names dimension \(id); the file has \(dimensions)") }
            }
            _ = try check.attributes(field: "variable attribute list")
            _ = try check.type(field: "variable type")
            _ = try check.count(field: "variable size", limit: Int.max)
            let begin = check.version == 1 ? try check.integer(4) : try check.integer(8)
            guard begin >= 0, begin <= check.size else {
                throw Failure(reason: "a variable's data begins at byte \(begin), past the end of the \(check.size)-byte file")
            }
        }
    }

    /// A list: ABSENT (two zeros) or `tag`, a count and that many elements.
    private mutating func list(tag: Int, field: String, _ element: (inout ClassicHeaderCheck) throws -> Void) throws -> Int {
        let found = try integer(4)
        let count = try self.count(field: field)
        if found == 0 {
            guard count == 0 else { throw Failure(reason: "the \(field) is absent but counts \(count) elements") }
            return 0
        }
        guard found == tag else { throw Failure(reason: "the \(field) has tag \(found), expected \(tag)") }
        for _ in 0..<count {
            var cursor = self
            try element(&cursor)
            self = cursor
        }
        return count
    }

    private mutating func attributes(field: String) throws -> Int {
        try list(tag: 0x0C, field: field) { check in
            try check.name(field: "attribute name")
            let size = try check.type(field: "attribute type")
            let count = try check.count(field: "attribute length", limit: (check.size - check.offset) / max(size, 1))
            try check.skip(ClassicHeaderCheck.padded(count * size), field: "attribute values")
        }
    }

    /// A type code; returns its element size.
    private mutating func type(field: String) throws -> Int {
        let code = try integer(4)
        let sizes = [1: 1, 2: 1, 3: 2, 4: 4, 5: 4, 6: 8] as [Int: Int]
        let extended = [7: 1, 8: 2, 9: 4, 10: 8, 11: 8] as [Int: Int]
        if let size = sizes[code] ?? (version == 5 ? extended[code] : nil) { return size }
        throw Failure(reason: "the \(field) \(code) is not a NetCDF type")
    }

    private mutating func name(field: String) throws {
        let length = try count(field: "\(field) length", limit: 256)
        guard length > 0 else { throw Failure(reason: "an empty \(field)") }
        try skip(ClassicHeaderCheck.padded(length), field: field)
    }

    /// A non-negative count (8 bytes in CDF-5, else 4); at most `limit` (default: what the rest of
    /// the file could hold at 4 bytes an element).
    private mutating func count(field: String, limit: Int? = nil, allowStreaming: Bool = false) throws -> Int {
        let value = version == 5 ? try integer(8) : try integer(4)
        if allowStreaming && (value == -1 || value == 0xFFFF_FFFF) { return 0 }
        let bound = limit ?? max(0, (size - offset) / 4)
        guard value >= 0, value <= bound else { throw Failure(reason: "the \(field) \(value) is out of bounds (at most \(bound) here)") }
        return value
    }

    private mutating func integer(_ width: Int) throws -> Int {
        let bytes = try read(width)
        var value: UInt64 = 0
        for byte in bytes { value = value << 8 | UInt64(byte) }
        return width == 8 ? Int(truncatingIfNeeded: value) : Int(value)
    }

    private mutating func skip(_ count: Int, field: String) throws {
        guard count >= 0, count <= size - offset else {
            throw Failure(reason: "the \(field) (\(count) bytes at byte \(offset)) runs past the end of the \(size)-byte file")
        }
        offset += count
    }

    private mutating func read(_ count: Int) throws -> [UInt8] {
        guard count <= size - offset else { throw Failure(reason: "the header ends early, at byte \(size)") }
        if offset < bufferStart || offset + count > bufferStart + buffer.count {
            bufferStart = offset
            try? file.seek(toOffset: UInt64(offset))
            buffer = [UInt8]((try? file.read(upToCount: max(count, 1 << 16))) ?? Data())
            guard buffer.count >= count else { throw Failure(reason: "the header cannot be read at byte \(offset)") }
        }
        let start = offset - bufferStart
        offset += count
        return Array(buffer[start..<(start + count)])
    }

    private static func padded(_ count: Int) -> Int { (count + 3) / 4 * 4 }
}
