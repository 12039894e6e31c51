/// Reads byte ranges of one object (a remote COG on S3 or an HTTPS server, a buffer): what a
/// `RangeReadingStore` reads instead of a local file.
///
/// ## Implementation guidance
/// - `read` returns exactly the bytes of `range` (which lies within `0..<size`), or throws.
/// - Readers are shared between tasks and called from the store's own threads.
public protocol ByteRangeReader: Sendable {
    /// The object's size in bytes.
    var size: Int { get }
    /// The bytes of `range`.
    /// - Throws: an error (a `CubeError` or a storage error) when the range cannot be read.
    func read(_ range: Range<Int>) async throws -> [UInt8]
}

/// A data store that reads remote objects by byte range instead of having the pipeline download
/// them whole (a COG read for a small window fetches its header and the tiles it needs).
///
/// ## Implementation guidance
/// - `describe(location:bytes:)` and `open(location:bytes:)` behave as `describe(path:)` and
///   `open(path:)` on a local copy would; messages name `location` (the URL).
/// - Cache what is fetched (headers, tile indices): every range is a request.
public protocol RangeReadingStore: DataStore {
    /// Describes the object at `location` whose bytes `bytes` reads.
    /// - Throws: `CubeError` naming `location` when it cannot be read or understood.
    func describe(location: String, bytes: any ByteRangeReader) async throws -> DatasetDescriptor
    /// Opens the object at `location` whose bytes `bytes` reads.
    /// - Throws: `CubeError` naming `location` when it cannot be opened.
    func open(location: String, bytes: any ByteRangeReader) async throws -> any DatasetReader
}
