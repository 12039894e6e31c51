public import CubeGen

/// Writes small CF datasets as Zarr groups (v2 or v3, sharded or not, any codec chain) into any
/// storage, with the library's own writer, for tests of the Zarr input store.
///
/// The dataset is geographic, `nx` × `ny` cells of `resolution` degrees from (`west`, `north`),
/// latitude descending, with `days` time steps (days since 2000-01-01 in `calendar`):
/// - `tas` float32 `LinearFields.temperature`, NaN fill;
/// - `pk` int16 packed (`scale_factor` 0.01, `add_offset` 250): `LinearFields.temperature` at day
///   7305 + step index, `_FillValue` −32768 where `LinearFields.isSea`.
public struct ZarrInputFixture: Sendable {
    /// The format written.
    public var format: ZarrFormat
    /// Cells along x and y.
    public var nx: Int, ny: Int
    /// Cell size in degrees.
    public var resolution: Double
    /// West and north outer edges.
    public var west: Double, north: Double
    /// Time values, days since 2000-01-01.
    public var days: [Double]
    /// The CF calendar.
    public var calendar: String
    /// Chunk shape of the data variables (time, y, x).
    public var chunks: [Int]
    /// Shard shape of the data variables (v3 only), or `nil`.
    public var shards: [Int]?
    /// The codecs of every array.
    public var codecs: ZarrCodecChain
    /// Whether consolidated metadata is written.
    public var consolidated: Bool

    /// Creates a fixture description.
    public init(format: ZarrFormat, nx: Int = 12, ny: Int = 10, resolution: Double = 1, west: Double = 0, north: Double = 40,
                days: [Double] = [7305, 7306, 7307], calendar: String = "standard", chunks: [Int] = [1, 4, 5], shards: [Int]? = nil,
                codecs: ZarrCodecChain = ZarrCodecChain(compressor: .object([("id", .string("zstd")), ("level", .int(3))])),
                consolidated: Bool = true) {
        self.format = format
        self.nx = nx
        self.ny = ny
        self.resolution = resolution
        self.west = west
        self.north = north
        self.days = days
        self.calendar = calendar
        self.chunks = chunks
        self.shards = shards
        self.codecs = codecs
        self.consolidated = consolidated
    }

    /// The longitude of column `i`.
    public func lon(_ i: Int) -> Double { west + (Double(i) + 0.5) * resolution }
    /// The latitude of row `j`.
    public func lat(_ j: Int) -> Double { north - (Double(j) + 0.5) * resolution }

    /// The expected decoded `tas` at (time step, row, column).
    public func tas(_ t: Int, _ j: Int, _ i: Int) -> Double { LinearFields.temperature(lon(i), lat(j), days[t]) }
    /// The stored `pk` value (int16), or `nil` at sea (fill).
    public func pkStored(_ t: Int, _ j: Int, _ i: Int) -> Int16? {
        LinearFields.isSea(lon(i), lat(j)) ? nil : Int16(((LinearFields.temperature(lon(i), lat(j), 7305 + Double(t)) - 250) / 0.01).rounded())
    }

    /// The arrays with their element functions (global index → value).
    public var arrays: [(spec: ZarrArraySpec, value: @Sendable ([Int]) -> Double)] {
        let nt = days.count
        let coordinateCodecs = codecs
        func coordinate(_ name: String, _ count: Int, _ attributes: [(String, JSONValue)], type: ZarrDataType = .float64) -> ZarrArraySpec {
            ZarrArraySpec(name: name, shape: [count], chunks: [count], dataType: type, fillValue: .none, codecs: coordinateCodecs,
                          dimensionNames: [name], attributes: .object(attributes))
        }
        let copy = self
        let dataShards = format == .v3 ? shards : nil
        return [
            (coordinate("lon", nx, [("units", .string("degrees_east")), ("standard_name", .string("longitude"))]), { copy.lon($0[0]) }),
            (coordinate("lat", ny, [("units", .string("degrees_north")), ("standard_name", .string("latitude"))]), { copy.lat($0[0]) }),
            (coordinate("time", nt, [("units", .string("days since 2000-01-01")), ("calendar", .string(calendar))], type: .int64),
             { copy.days[$0[0]] }),
            (ZarrArraySpec(name: "tas", shape: [nt, ny, nx], chunks: chunks, shards: dataShards, dataType: .float32, fillValue: .nan,
                           codecs: codecs, dimensionNames: ["time", "lat", "lon"],
                           attributes: .object([("units", .string("K")), ("standard_name", .string("air_temperature"))]), masksFill: true),
             { copy.tas($0[0], $0[1], $0[2]) }),
            (ZarrArraySpec(name: "pk", shape: [nt, ny, nx], chunks: chunks, shards: dataShards, dataType: .int16, fillValue: .number(-32768),
                           codecs: codecs, dimensionNames: ["time", "lat", "lon"],
                           attributes: .object([("scale_factor", .double(0.01)), ("add_offset", .double(250)), ("units", .string("K"))]),
                           masksFill: true),
             { copy.pkStored($0[0], $0[1], $0[2]).map(Double.init) ?? -32768 }),
        ]
    }

    /// Writes the group into `storage` (metadata documents, every chunk or shard, then the
    /// consolidated metadata when asked for).
    public func write(to storage: any WritableStorage) async throws {
        var specs = arrays.map(\.spec)
        if format == .v2 {
            // v2 masks with fill_value alone; CF _FillValue stays out of .zattrs (as xarray writes it).
            specs = specs.map { var spec = $0; spec.masksFill = false; return spec }
        }
        let hierarchy = ZarrHierarchy(format: format, attributes: .object([("Conventions", .string("CF-1.10"))]), arrays: specs)
        for (key, document) in try hierarchy.documents() { try await storage.set(StoreKey(key), to: document.bytes) }
        for (spec, value) in zip(specs, arrays.map(\.value)) {
            let writer = try ZarrChunkWriter(spec: spec, format: format)
            for unit in spec.storedIndices {
                let origin = zip(unit, spec.storedShape).map { $0 * $1 }
                var bytes: [UInt8] = []
                for local in ZarrInputFixture.indices(spec.storedShape) {
                    let global = zip(origin, local).map { $0 + $1 }
                    let inside = zip(global, spec.shape).allSatisfy { $0 < $1 }
                    bytes += spec.dataType.bytes(of: inside ? .number(value(global)) : spec.fillValue)
                }
                let encoded = try writer.encode(at: unit, bytes: bytes)
                if let data = encoded.bytes { try await storage.set(StoreKey(encoded.key), to: data) }
            }
        }
        if consolidated {
            let (key, document) = try hierarchy.consolidated()
            try await storage.set(StoreKey(key), to: document.bytes)
        }
    }

    /// Every index of a box of `shape` in C order.
    static func indices(_ shape: [Int]) -> [[Int]] {
        var all: [[Int]] = [[]]
        for n in shape { all = all.flatMap { prefix in (0..<n).map { prefix + [$0] } } }
        return all
    }
}
