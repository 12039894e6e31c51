/// The versions of the compression libraries behind the built-in codecs, for provenance records.
public enum CodecLibraries {
    /// `[("blosc", "1.21.3"), ("zstd", "1.5.4"), ("zlib", "1.2.13"), ("libdeflate", "1.14")]` (libdeflate
    /// encodes and decodes the zlib and gzip codecs).
    public static var versions: [(name: String, version: String)] {
        [("blosc", BloscCalls.version), ("zstd", ZstdCalls.version), ("zlib", ZlibCalls.version), ("libdeflate", DeflateCalls.version)]
    }
}
