import CubeCore
public import CubeStorage
import Foundation
import Zarr

/// Checks a cube as its users rely on it: the xcube dataset convention, CF essentials (including
/// that xarray can export it to NetCDF), Zarr completeness, and that `lineage.json` and the STAC
/// entry agree with the cube. Each problem names the variable, attribute, key or file.
///
/// ```swift
/// let report = try await CubeVerifier(cubePath: "out/cube.zarr").verify()
/// for problem in report.problems { print(problem) }
/// ```
public struct CubeVerifier: Sendable {
    /// The Zarr store.
    public var cubePath: String
    /// The STAC Collection to compare; `nil` looks for `NAME.stac.json` beside `NAME.zarr`.
    public var catalogPath: String?
    /// Whether to decode every chunk, check its size and compare its SHA-256 with `chunks.sha256`
    /// (slower; default: presence only).
    public var decodeChunks: Bool
    /// The storage backends that open `cubePath` and the STAC files (local files by default; a
    /// pipeline's `registries.storage` adds S3 and HTTPS).
    public var storage: StorageRegistry
    /// Settings for opening remote cubes (endpoint, region, profile, anonymous).
    public var options: StorageOptions

    /// Creates a verifier.
    public init(cubePath: String, catalogPath: String? = nil, decodeChunks: Bool = false,
                storage: StorageRegistry = .standard, options: StorageOptions = StorageOptions()) {
        self.cubePath = cubePath
        self.catalogPath = catalogPath
        self.decodeChunks = decodeChunks
        self.storage = storage
        self.options = options
    }

    /// Runs every check.
    /// - Throws: `CubeError` (`.invalidInput`) when `cubePath` is not a directory or holds no
    ///   object; `StorageError` when a remote cube cannot be listed.
    public func verify() async throws -> VerificationReport {
        let location: StorageURL
        do {
            location = try StorageURL(cubePath)
        } catch {
            throw CubeError(.invalidInput, "'\(cubePath)': \(error)")
        }
        let url: URL
        let store: any Storage
        if location.scheme == "file" {
            url = URL(fileURLWithPath: location.path).standardizedFileURL
            var isDirectory: ObjCBool = false
            guard FileManager.default.fileExists(atPath: url.path, isDirectory: &isDirectory), isDirectory.boolValue else {
                throw CubeError(.invalidInput, "'\(cubePath)' is not a Zarr store (no such directory)")
            }
            store = FileSystemStorage(root: url)
        } else {
            url = URL(string: "\(location.scheme)://\(location.authority)/\(location.path)")!
            store = try storage.openWritable(location, options: options)
        }
        let cube = try await CubeSnapshot.load(url, storage: store)
        if cube.keys.isEmpty && location.scheme != "file" {
            throw CubeError(.invalidInput, "'\(cubePath)' is not a Zarr store (no object under it)")
        }
        var problems: [VerificationProblem] = []
        let lineage = await LineageCheck.load(cube, into: &problems)
        await ZarrCompletenessCheck(cube: cube, lineage: lineage, decodeChunks: decodeChunks).run(into: &problems)
        await ChunkChecksumCheck(cube: cube, readChunks: decodeChunks).run(into: &problems)
        guard cube.format != nil else { return VerificationReport(problems: problems, catalogPath: nil) }
        await XcubeConventionCheck(cube: cube).run(into: &problems)
        await CFConventionCheck(cube: cube).run(into: &problems)
        if let lineage { LineageCheck(cube: cube, lineage: lineage).run(into: &problems) }
        let files = CatalogFiles(registry: storage, options: options)
        let stac = await STACAgreementCheck.locate(cube: url, given: catalogPath, files: files, into: &problems)
        if let stac { await STACAgreementCheck(cube: cube, collectionURL: stac, files: files).run(into: &problems) }
        return VerificationReport(problems: problems, catalogPath: stac.map(CatalogLayout.text))
    }
}
