public import CubeCore
public import Foundation
import CubeCrypto

/// A validated recipe (DESIGN.md §6): what cube to build, from which sources, how.
///
/// Produced by `RecipeParser`; keys keep their recipe-format names in the doc comments. Paths are
/// absolute (resolved against the recipe's folder). `locations` maps key paths to where they were
/// written, so later stages can point at the recipe in their errors.
public struct Recipe: Sendable {
    /// `version`: the recipe format version (1).
    public var version: Int
    /// `cube`: identity and description.
    public var cube: CubeSection
    /// `grid`: the target grid.
    public var grid: GridSection
    /// `time`: the target time axis.
    public var time: TimeSection
    /// `sources`: the inputs.
    public var sources: [SourceSection]
    /// `output`: where and how to write.
    public var output: OutputSection
    /// `catalog`: where the catalogue entry goes.
    public var catalog: CatalogSection
    /// The recipe file.
    public var fileURL: URL
    /// The recipe's text.
    public var text: String
    /// Key path → where it was written.
    public var locations: [String: RecipeLocation]
    /// Warnings found while parsing.
    public var warnings: [Diagnostic]
    /// `ml`: training samples cut from the cube after it is built (`cubegen sample`), if asked for.
    public var ml: SamplingSection? = nil

    /// The folder relative paths resolve against.
    public var directory: URL { fileURL.deletingLastPathComponent() }

    /// SHA-256 of the recipe text, hex.
    public var sha256: String { SHA256.hex(Array(text.utf8)) }

    /// The location of a key path, or of its nearest written parent.
    public func location(of key: String) -> RecipeLocation? {
        var path = key
        while true {
            if let location = locations[path] { return location }
            guard let cut = path.lastIndex(where: { $0 == "." || $0 == "[" }) else { return nil }
            path = String(path[..<cut])
        }
    }

    /// Makes an invalid-recipe error pointing at `key`; its context keeps the key, the reason and
    /// the location so the diagnostic can be rebuilt (`Diagnostic(error:)`).
    public func error(_ key: String, _ message: String) -> CubeError {
        let place = location(of: key)
        let diagnostic = Diagnostic(.error, key: key, message, at: place)
        var context = ["key": key, "reason": message]
        if let place {
            context["file"] = place.file
            context["line"] = String(place.line)
            context["column"] = String(place.column)
        }
        return CubeError(.invalidRecipe, diagnostic.description, context: context)
    }
}

/// The `cube` section.
public struct CubeSection: Sendable, Hashable {
    /// `id`: the cube's identifier, used in the catalogue and file names.
    public var id: String
    /// `title`.
    public var title: String
    /// `summary`.
    public var summary: String
    /// `license` (SPDX identifier).
    public var license: String
    /// `version`: the cube's own version.
    public var version: String
    /// `keywords`.
    public var keywords: [String]
}

/// What to do when the bbox is not a whole number of pixels.
public enum SnapRule: String, Sendable, Hashable, CaseIterable {
    /// Refuse the recipe (default).
    case error
    /// Grow the bbox outward to whole pixels.
    case expand
    /// Shrink the bbox inward to whole pixels.
    case shrink
}

/// The `grid` section.
public struct GridSection: Sendable, Hashable {
    /// `crs`: EPSG code, WKT2 or PROJ string.
    public var crs: String
    /// `bbox`: outer pixel edges xmin, ymin, xmax, ymax in the grid CRS.
    public var bbox: [Double]
    /// `resolution`: (x, y) pixel size, if given.
    public var resolution: [Double]?
    /// `size`: (width, height), if given instead of a resolution.
    public var size: [Int]?
    /// `snap`.
    public var snap: SnapRule
    /// `y_axis`.
    public var yAxis: YAxisDirection
    /// `max_error`: the approximate transformer's bound in source pixels; 0 (the default) transforms
    /// every pixel centre exactly, once per region. On T1 a bound of 0.125 raised the t2m RMSE from
    /// 0.0308 to 0.0377 without a measurable speed-up, hence the exact default.
    public var maxError: Double = 0
}

/// The `time` section.
public struct TimeSection: Sendable, Hashable {
    /// `start`: first date kept (inclusive), in the output calendar.
    public var start: CalendarDate?
    /// `end`: last date kept (inclusive).
    public var end: CalendarDate?
    /// `period`: target step (`8D`, `1M`…); `nil` keeps the source steps.
    public var period: String?
    /// `period_anchor`: `start` or `year`.
    public var periodAnchor: String?
    /// `label`: `start`, `center` or `end`.
    public var label: String?
    /// `calendar`: the output calendar of a cube with a period (default proleptic_gregorian).
    public var calendar: String?
}

/// One variable taken from a source.
public struct VariableSection: Sendable, Hashable {
    /// The name in the source (the key under `variables`).
    public var sourceName: String
    /// `name`: the name in the cube (default: the source name).
    public var name: String
    /// `resampling`: the spatial method name; `nil` lets the pipeline choose by direction and data
    /// type (see `resamplingUp`/`resamplingDown`).
    public var resampling: String?
    /// `resampling.up`: the method when the target is finer than the source (default bilinear, or
    /// nearest for unpacked integer sources).
    public var resamplingUp: String?
    /// `resampling.down`: the method when the target is coarser than the source (default average,
    /// or mode for unpacked integer sources).
    public var resamplingDown: String?
    /// `aggregation`: the temporal method name, if given.
    public var aggregation: String?
    /// `min_count`: fewer valid source values in a period than this give fill (default 1).
    public var minCount: Int?
    /// `upsampling`: how a period without any source step is filled from neighbouring steps
    /// (`nearest`, `linear`, `previous`); `nil` leaves such periods as fill.
    public var upsampling: String?
    /// `dtype`: the output data type (default float32, or the source's integer type for
    /// categorical variables, see `dataTypeGiven`).
    public var dataType: DataType
    /// Whether the recipe gave `dtype` (else the pipeline may keep a categorical source's type).
    public var dataTypeGiven: Bool = false
    /// `scale_factor` for packed output.
    public var scaleFactor: Double?
    /// `add_offset` for packed output.
    public var addOffset: Double?
    /// `fill_value` for the output.
    public var fillValue: Double?
    /// `pyramid_method`: how pyramid levels aggregate this variable (`mean`, `first`, `min`,
    /// `max`, `mode`); `nil` for the default (NaN-aware mean, or `first` for unpacked integer classes).
    public var pyramidMethod: String?
    /// The key path of this variable (`sources[0].variables.t2m`).
    public var keyPath: String
    /// `asset`: for `store: stac`, the key of the item asset holding this variable.
    public var asset: String?
    /// `select`: the source field by its keys (`{shortName: 2t, typeOfLevel: surface, number: 0}`,
    /// cfgrib's `filter_by_keys`) instead of by name; keys are `VariableSection.selectionKeys`,
    /// values as text. `nil`: the key under `variables` names the field.
    public var select: [String: String]? = nil
    /// `levels`: the vertical levels to keep, in cube order (`[1000, 850, 500]`), in `levelUnits`;
    /// the variable becomes `(time, LEVEL, y, x)` (DESIGN.md §15). `nil`: one 2-D field per step.
    /// A source's `levels` and `level_units` apply to its variables that give none of their own.
    public var levels: [Double]? = nil
    /// `level_units`: the units `levels` are written in (`hPa`, `Pa`, `m`, `1`); `nil`: the
    /// source's own level units (hPa for GRIB `isobaricInhPa`).
    public var levelUnits: String? = nil

    /// `members`: the ensemble members to keep, in cube order (`[0, 1, 2]`: GRIB `number`s); the
    /// variable gets a `member` dimension after time (DESIGN.md §16). `nil`: no member axis.
    /// A source's `members` apply to its variables that give none of their own.
    public var members: [Int]? = nil

    /// The units `level_units` accepts.
    public static let levelUnitNames = ["hPa", "Pa", "m", "1"]

    /// The keys `select` accepts (a data store describes them as `GRIB_<key>` variable attributes):
    /// ecCodes' keys, then the labels of a DestinE message's local section.
    public static let selectionKeys = ["shortName", "paramId", "typeOfLevel", "level", "number",
                                       "dataset", "activity", "experiment", "generation", "model", "realization", "resolution", "georef", "tilescheme"]
    /// The `select` keys whose values are whole numbers.
    public static let wholeNumberSelectionKeys: Set<String> = ["level", "number", "paramId", "generation", "realization"]
}

/// One entry of `sources`.
public struct SourceSection: Sendable, Hashable {
    /// `name`: unique within the recipe.
    public var name: String
    /// `store`: the registered data-store name.
    public var store: String
    /// `paths`: globs, made absolute.
    public var paths: [String]
    /// `variables`, in recipe order.
    public var variables: [VariableSection]
    /// The key path (`sources[0]`).
    public var keyPath: String
    /// `storage_options`: how to reach `s3://` and `https://` paths.
    public var storageOptions = StorageOptionsSection()
    /// `bands`: band number (1-based) → the name the recipe's `variables` use for it, for stores
    /// whose variables are bands (`geotiff`: `band_1`, `band_2`, … otherwise).
    public var bands: [Int: String] = [:]
    /// `time_from_name`: how each file's name gives its date, for inputs without a time axis.
    public var timeFromName: FileNameDate?
    /// `times`: each file's date, in the order of the sorted file paths, for inputs without a
    /// time axis (instead of `time_from_name`).
    public var times: [CalendarDate] = []
    /// `mosaic`: how files of one date that overlap combine (`first`, `last`, `mean`, `min`,
    /// `max`; default `first`, the first file in path order with a valid value wins).
    public var mosaic: MosaicRule = .first
    /// `allow_mixed_crs`: whether the files of this source may be in different CRSs (tiles of
    /// several UTM zones); default false, so a glob that picks up a stray file fails clearly.
    public var allowMixedCRS = false
    /// `crs`: the CRS of the files, replacing their own (plain TIFFs have none), as
    /// `gdal_translate -a_srs` does.
    public var crs: String?
    /// `geotransform`: GDAL's `[x0, dx, 0, y0, 0, dy]` for the files (outer corner of the
    /// top-left pixel and pixel size), replacing their own, as `gdal_translate -a_gt` does.
    public var geotransform: [Double]?
    /// `broadcast_time`: the source's variables are static fields (orography, land-sea mask: no
    /// time axis); their one plane is repeated at every output time step. Default false.
    public var broadcastTime = false
    /// The catalogue search of a `store: stac` source (`url`, `collections`, `assets`, …); `nil`
    /// for other stores.
    public var stac: STACSourceSection?
}

/// How the files of one date that cover the same target pixel combine (`mosaic:`).
public enum MosaicRule: String, Sendable, Hashable, CaseIterable {
    /// The first file in path order with a valid (not missing) value wins (the default; what
    /// `gdalwarp` gives with the inputs in reverse order).
    case first
    /// The last file in path order with a valid value wins (what `gdalwarp` gives: later inputs
    /// are painted over earlier ones).
    case last
    /// The mean of the valid values.
    case mean
    /// The smallest valid value.
    case min
    /// The largest valid value.
    case max
}

/// A `storage_options` setting (the name xarray, fsspec and xcube users know): where an object
/// store is and which identity to use, never a secret (keys come from the environment or the
/// AWS credential files).
public struct StorageOptionsSection: Sendable, Hashable {
    /// `endpoint_url`: an S3-compatible service, for example `http://127.0.0.1:8333`.
    public var endpointURL: String?
    /// `region`.
    public var region: String?
    /// `profile`: a named profile of `~/.aws/credentials` and `~/.aws/config`.
    public var profile: String?
    /// `anon`: unsigned requests, for public buckets.
    public var anonymous: Bool = false

    /// Nothing set: the environment and the AWS files decide.
    public init(endpointURL: String? = nil, region: String? = nil, profile: String? = nil, anonymous: Bool = false) {
        self.endpointURL = endpointURL
        self.region = region
        self.profile = profile
        self.anonymous = anonymous
    }
}

/// A `compressor` setting.
public struct CompressorSection: Sendable, Hashable {
    /// `id`: blosc, zstd, zlib, gzip or none.
    public var id: String
    /// `cname` for blosc.
    public var cname: String?
    /// `clevel` for blosc.
    public var clevel: Int?
    /// `shuffle` for blosc: 0 none, 1 byte, 2 bit.
    public var shuffle: Int?
    /// `blocksize` for blosc.
    public var blocksize: Int?
    /// `level` for zstd, zlib, gzip.
    public var level: Int?
}

/// The `output` section.
public struct OutputSection: Sendable, Hashable {
    /// `path`, made absolute (or an `s3://` URL as written).
    public var path: String
    /// `format`: `zarr2` or `zarr3`.
    public var format: String
    /// `chunks` by dimension name (`time`, `y`/`lat`, `x`/`lon`, and a vertical dimension:
    /// `plev`, `lev`, `height`, `depth`, which must be 1 yet).
    public var chunks: [String: Int]
    /// `shards` by dimension name, as `chunks` (zarr3 only): each stored object holds a block of
    /// chunks this size; empty when not given.
    public var shards: [String: Int] = [:]
    /// `checksum`: `crc32c` appends a CRC-32C to every chunk (zarr3 only), or `none` (default).
    public var checksum: String = "none"
    /// `compressor`.
    public var compressor: CompressorSection
    /// `overwrite`.
    public var overwrite: Bool
    /// `attrs`: extra global attributes, in recipe order.
    public var attributes: [Attribute]
    /// `gdal_crs`: also write GDAL's `_CRS` object attribute on every data variable, so that GDAL
    /// 3.6 shows the CRS (default false: the object attribute stops xarray's `to_netcdf`).
    public var gdalCRS: Bool = false
    /// `storage_options`: how to reach an `s3://` output (and a `catalog.path` URL).
    public var storageOptions = StorageOptionsSection()
    /// `pyramid`: also write the multi-resolution pyramid `NAME.levels` (xcube's levels format);
    /// `nil` when not asked.
    public var pyramid: PyramidSection?
    /// `timeseries.chunks`: also write the time-series copy `NAME.ts.zarr`, chunked this way
    /// (by dimension name, as `chunks`); `nil` when not asked.
    public var timeSeriesChunks: [String: Int]?
}

/// `output.pyramid`: the multi-resolution pyramid written beside the cube while it is built.
public struct PyramidSection: Sendable, Hashable {
    /// `levels`: the number of levels, level 0 (the cube) included; `nil` (`auto`, the default)
    /// halves until a side fits one tile, as xcube does.
    public var levels: Int?
    /// `tile`: the tile size in pixels of levels 1 and up (default 256).
    public var tile: Int = 256

    /// Creates a section.
    public init(levels: Int? = nil, tile: Int = 256) {
        self.levels = levels
        self.tile = tile
    }
}

/// The `catalog` section.
public struct CatalogSection: Sendable, Hashable {
    /// `path`, made absolute, if given.
    public var path: String?
    /// `fingerprints`: record the SHA-256 of every input file in the lineage (default true).
    public var fingerprints: Bool = true
    /// `quicklooks`: write a PNG quick-look per variable (default true).
    public var quicklooks: Bool = true
}
