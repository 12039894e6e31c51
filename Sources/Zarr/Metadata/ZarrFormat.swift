/// The Zarr format a hierarchy is written in.
///
/// Everything format-specific (document names, chunk keys, codec metadata, how attributes carry
/// dimension names and fill values, where consolidated metadata goes) is decided inside the
/// `Zarr` module from this value; callers describe arrays with `ZarrArraySpec` only.
public enum ZarrFormat: String, Sendable, Hashable, CaseIterable {
    /// Zarr v2 (`.zgroup`/`.zarray`/`.zattrs`, consolidated `.zmetadata`, chunk keys `a/0.1.2`).
    case v2
    /// Zarr v3 (`zarr.json` per node, consolidated metadata inline in the root, chunk keys
    /// `a/c/0/1/2`, optional sharding).
    case v3

    /// The format's number (2 or 3), as in `zarr_format`.
    public var number: Int { self == .v2 ? 2 : 3 }

    /// The key of the document holding the consolidated metadata (`.zmetadata` or `zarr.json`).
    public var consolidatedKey: String { self == .v2 ? ".zmetadata" : "zarr.json" }

    /// The key of the root group document (`.zgroup` or `zarr.json`).
    public var groupKey: String { self == .v2 ? ".zgroup" : "zarr.json" }

    /// A short human name: "Zarr v2", "Zarr v3".
    public var displayName: String { "Zarr v\(number)" }
}
