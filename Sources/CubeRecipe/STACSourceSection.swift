/// The keys of a `store: stac` source (DESIGN.md §6): which catalogue to search, how, and which
/// assets of the items found give the recipe's variables.
public struct STACSourceSection: Sendable, Hashable {
    /// `url`: a STAC API landing page, or a static catalogue / collection / item-collection file
    /// (relative to the recipe) or URL.
    public var url: String
    /// `collections`: the collections to search.
    public var collections: [String] = []
    /// `ids`: item identifiers to fetch.
    public var ids: [String] = []
    /// `query`: the Query extension's object, as JSON text.
    public var queryJSON: String?
    /// `filter`: a CQL2-JSON expression (Filter extension), as JSON text.
    public var filterJSON: String?
    /// `bbox`: west, south, east, north in WGS 84; default the recipe grid's extent.
    public var bbox: [Double]?
    /// `datetime`: an RFC 3339 interval; default the recipe's `time.start`…`time.end`.
    public var datetime: String?
    /// `limit`: items per page asked of the API (default: the server's).
    public var limit: Int?
    /// `method`: `GET` or `POST` for the search (default `POST` when the API offers it).
    public var method: String?
    /// `assets`: asset key → the source variable name the `variables` section uses for it
    /// (`{B04: red}`); per-variable `asset:` keys add to it.
    public var assets: [String: String] = [:]
    /// `format`: the data store that reads the assets (`geotiff`, `netcdf`, `grib`, `zarr`);
    /// default: from each asset's media type or file extension.
    public var format: String?
    /// `token_env`: the environment variable holding a bearer token for the catalogue (DestinE
    /// HDA: `HDA_TOKEN`); sent only to the catalogue's host, never logged.
    public var tokenEnvironment: String?
    /// `token_file`: a file holding the bearer token (absolute), instead of `token_env`.
    public var tokenFile: String?
    /// `order`: order items whose `order:status` is `orderable` (POST their `retrieve` link, poll
    /// until `succeeded`), then read the ordered assets (`downloadLink`).
    public var order = false
    /// `order_timeout`: the longest one order is waited for, in seconds (default 3600).
    public var orderTimeout: Double = 3600

    /// Creates a section for the catalogue at `url`.
    public init(url: String) { self.url = url }
}
