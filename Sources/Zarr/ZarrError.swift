/// An error raised by the Zarr layer.
public enum ZarrError: Error, Sendable, CustomStringConvertible, Equatable {
    /// A metadata document is malformed; the text says what is wrong.
    case invalidMetadata(String)
    /// A codec name is not registered.
    case unknownCodec(String)
    /// A codec configuration is invalid; the text names the parameter.
    case invalidCodecConfiguration(String)
    /// Encoding or decoding failed in a codec library.
    case codecFailure(String)
    /// A stored chunk or shard is corrupt (a checksum mismatch, a bad shard index, data that does
    /// not decode); names its key.
    case corruptChunk(key: String, String)

    /// A one-line description.
    public var description: String {
        switch self {
        case let .invalidMetadata(m): return "invalid Zarr metadata: \(m)"
        case let .unknownCodec(n): return "unknown codec '\(n)'"
        case let .invalidCodecConfiguration(m): return "invalid codec configuration: \(m)"
        case let .codecFailure(m): return "codec failure: \(m)"
        case let .corruptChunk(key, m): return "corrupt chunk '\(key)': \(m)"
        }
    }
}
