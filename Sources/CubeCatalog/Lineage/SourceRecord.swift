public import Zarr

/// What a variable's source was: the files with their sizes and fingerprints, and the original
/// variable as the data store described it (name, attributes, type, packing, grid, time axis).
public struct SourceRecord: Sendable, Hashable {
    /// One input file.
    public struct File: Sendable, Hashable {
        /// Its path or URL.
        public var path: String
        /// Its size in bytes.
        public var bytes: Int
        /// SHA-256 of its content, hex; `nil` when the recipe turned fingerprints off, or for a
        /// remote object fingerprinted by its entity tag.
        public var sha256: String?
        /// The entity tag of a remote object (without quotes): with `bytes`, its fingerprint; `nil`
        /// for local files. Written as `"fingerprint": "etag"`, `"etag": …` in `lineage.json`.
        public var etag: String?
        /// For an asset of a STAC item: the item's URL (written as `stac_item`).
        public var stacItem: String?
        /// For an asset of a STAC item: its `file:checksum` (a multihash, hex), when the item gives one.
        public var checksum: String?

        /// Creates a file record.
        public init(path: String, bytes: Int, sha256: String?, etag: String? = nil, stacItem: String? = nil, checksum: String? = nil) {
            self.path = path
            self.bytes = bytes
            self.sha256 = sha256
            self.etag = etag
            self.stacItem = stacItem
            self.checksum = checksum
        }

        var json: JSONValue {
            var members: [(String, JSONValue)] = [("path", .string(path)), ("bytes", .int(Int64(bytes))),
                                                  ("sha256", sha256.map(JSONValue.string) ?? .null)]
            if let etag { members += [("fingerprint", .string("etag")), ("etag", .string(etag))] }
            if let stacItem { members.append(("stac_item", .string(stacItem))) }
            if let checksum { members.append(("checksum", .string(checksum))) }
            return .object(members)
        }

        init(json: JSONValue) throws {
            let f = LineageJSONReader(json, path: "source.files[]")
            self.init(path: try f.string("path"), bytes: try f.int("bytes"), sha256: try f.member("sha256").stringValue,
                      etag: json["etag"]?.stringValue, stacItem: json["stac_item"]?.stringValue, checksum: json["checksum"]?.stringValue)
        }
    }

    /// The recipe's source name.
    public var name: String
    /// The data store that read it (`netcdf`).
    public var store: String
    /// The files, in time order.
    public var files: [File]
    /// The variable's name in the files.
    public var variable: String
    /// The stored data type in the files (`float32`, `int16`…).
    public var dataType: String
    /// CF packing: `scale_factor`, `add_offset`, missing values and valid range, as found.
    public var packing: [(String, JSONValue)]
    /// The variable's attributes in the first file.
    public var attributes: [(String, JSONValue)]
    /// The source CRS: `name`, `epsg` (when known) and `wkt2`.
    public var crs: [(String, JSONValue)]
    /// The source grid: size, resolution per axis and its units, extent of cell edges.
    public var grid: [(String, JSONValue)]
    /// The source time axis: first and last step, step, calendar, count of steps used.
    public var time: [(String, JSONValue)]

    /// Creates a record.
    public init(name: String, store: String, files: [File], variable: String, dataType: String, packing: [(String, JSONValue)],
                attributes: [(String, JSONValue)], crs: [(String, JSONValue)], grid: [(String, JSONValue)], time: [(String, JSONValue)]) {
        self.name = name
        self.store = store
        self.files = files
        self.variable = variable
        self.dataType = dataType
        self.packing = packing
        self.attributes = attributes
        self.crs = crs
        self.grid = grid
        self.time = time
    }

    /// Compares the JSON forms.
    public static func == (a: SourceRecord, b: SourceRecord) -> Bool { a.json == b.json }
    /// Hashes name, variable and files.
    public func hash(into hasher: inout Hasher) {
        hasher.combine(name)
        hasher.combine(variable)
        hasher.combine(files)
    }

    var json: JSONValue {
        .object([
            ("name", .string(name)), ("store", .string(store)),
            ("files", .array(files.map(\.json))),
            ("variable", .string(variable)), ("dtype", .string(dataType)), ("packing", .object(packing)),
            ("attributes", .object(attributes)), ("crs", .object(crs)), ("grid", .object(grid)), ("time", .object(time)),
        ])
    }

    init(json: JSONValue) throws {
        let reader = LineageJSONReader(json, path: "source")
        name = try reader.string("name")
        store = try reader.string("store")
        files = try reader.array("files").map(File.init(json:))
        variable = try reader.string("variable")
        dataType = try reader.string("dtype")
        packing = try reader.object("packing")
        attributes = try reader.object("attributes")
        crs = try reader.object("crs")
        grid = try reader.object("grid")
        time = try reader.object("time")
    }
}
