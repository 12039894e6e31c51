/// The versions of the compression libraries behind the built-in codecs, for provenance records.
public enum CodecLibraries {
    /// `[("blosc", "1.21.3"), ("zstd", "1.5.4"), ("zlib", "1.2.13"), ("libdeflate", "1.14"), ("lz4", "1.9.4"),
    /// ("bzip2", "1.0.8, …")]` (libdeflate encodes and decodes the zlib and gzip codecs).
    public static var versions: [(name: String, version: String)] {
        [("blosc", BloscCalls.version), ("zstd", ZstdCalls.version), ("zlib", ZlibCalls.version), ("libdeflate", DeflateCalls.version),
         ("lz4", LZ4Calls.version), ("bzip2", Bzip2Calls.version)]
    }
}
