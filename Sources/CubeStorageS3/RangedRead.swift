import CubeStorage

/// Interprets the answer to a GET with a `Range` header, for S3 and plain HTTPS alike: checks that
/// the bytes are the ones asked for, and slices locally when a server ignored the range.
enum RangedRead {
    /// The bytes of `range` from `result` (status 200 or 206).
    /// - Throws: `StorageError` `.invalid` when the range reaches past the end of the object,
    ///   `.transient` when the answer does not cover the range it claims to.
    static func bytes(of result: HTTPResult, range: ByteRange, location: String) throws -> [UInt8] {
        if result.status == 200 {
            guard let offsets = range.offsets(in: result.body.count) else { throw pastEnd(range, result.body.count, location) }
            return offsets == 0..<result.body.count ? result.body : Array(result.body[offsets])
        }
        guard let contentRange = result.header("content-range"), let parsed = parse(contentRange) else {
            throw StorageError(operation: "read", location: location,
                               reason: "HTTP 206 without a valid Content-Range", code: .transient)
        }
        guard let wanted = range.offsets(in: parsed.total) else { throw pastEnd(range, parsed.total, location) }
        guard parsed.range == wanted, result.body.count == wanted.count else {
            throw StorageError(operation: "read", location: location,
                               reason: "asked for bytes \(wanted), got \(parsed.range) (\(result.body.count) bytes)",
                               code: .transient)
        }
        return result.body
    }

    /// The error for a bounded range that reaches past the end of a `size`-byte object.
    static func pastEnd(_ range: ByteRange, _ size: Int, _ location: String) -> StorageError {
        StorageError(operation: "read", location: location,
                     reason: "byte range \(range) reaches past the end of a \(size)-byte object", code: .invalid)
    }

    /// Parses `bytes FIRST-LAST/TOTAL`.
    static func parse(_ header: String) -> (range: Range<Int>, total: Int)? {
        guard header.hasPrefix("bytes ") else { return nil }
        let parts = header.dropFirst(6).split(separator: "/")
        guard parts.count == 2, let total = Int(parts[1]) else { return nil }
        let bounds = parts[0].split(separator: "-")
        guard bounds.count == 2, let first = Int(bounds[0]), let last = Int(bounds[1]), first <= last + 1 else { return nil }
        return (first..<(last + 1), total)
    }
}
