/// The STAC documents (items, assets, links, searches) live in `CubeSTACDocuments`, a module
/// without I/O that the STAC fuzz target builds alone; users of the client get them with it.
@_exported public import CubeSTACDocuments
