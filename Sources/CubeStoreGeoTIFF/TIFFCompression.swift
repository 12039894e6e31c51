/// A TIFF `Compression` tag value, with the names GDAL uses for the common ones.
public struct TIFFCompression: Hashable, Sendable, CustomStringConvertible {
    /// The tag value (`COMPRESSION_*` in tiff.h).
    public var code: Int

    /// Wraps a tag value.
    public init(code: Int) { self.code = code }

    /// No compression (`COMPRESSION_NONE`).
    public static let none = TIFFCompression(code: 1)
    /// LZW (`COMPRESSION_LZW`).
    public static let lzw = TIFFCompression(code: 5)
    /// JPEG (`COMPRESSION_JPEG`).
    public static let jpeg = TIFFCompression(code: 7)
    /// Deflate as Adobe registered it (`COMPRESSION_ADOBE_DEFLATE`), what GDAL writes.
    public static let deflate = TIFFCompression(code: 8)
    /// PackBits (`COMPRESSION_PACKBITS`).
    public static let packBits = TIFFCompression(code: 32773)
    /// Zstandard (`COMPRESSION_ZSTD`).
    public static let zstd = TIFFCompression(code: 50000)

    private static let names: [Int: String] = [
        1: "none", 2: "CCITT RLE", 3: "CCITT G3", 4: "CCITT G4", 5: "LZW", 6: "old JPEG", 7: "JPEG", 8: "deflate",
        32946: "deflate (old code)", 32773: "PackBits", 34676: "SGI LogLuv", 34887: "LERC", 34925: "LZMA",
        50000: "ZSTD", 50001: "WebP", 50002: "JPEG XL",
    ]

    /// The name (`deflate`, `LZW`, …), or `compression N` for codes without one.
    public var description: String { Self.names[code] ?? "compression \(code)" }
}
