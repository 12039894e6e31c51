import CubeCore
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

    /// Creates a verifier.
    public init(cubePath: String, catalogPath: String? = nil, decodeChunks: Bool = false) {
        self.cubePath = cubePath
        self.catalogPath = catalogPath
        self.decodeChunks = decodeChunks
    }

    /// Runs every check.
    /// - Throws: `CubeError` (`.invalidInput`) when `cubePath` is not a directory.
    public func verify() async throws -> VerificationReport {
        let url = URL(fileURLWithPath: cubePath).standardizedFileURL
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: url.path, isDirectory: &isDirectory), isDirectory.boolValue else {
            throw CubeError(.invalidInput, "'\(cubePath)' is not a Zarr store (no such directory)")
        }
        let cube = try await CubeSnapshot.load(url)
        var problems: [VerificationProblem] = []
        let lineage = LineageCheck.load(cube, into: &problems)
        await ZarrCompletenessCheck(cube: cube, lineage: lineage, decodeChunks: decodeChunks).run(into: &problems)
        await ChunkChecksumCheck(cube: cube, readChunks: decodeChunks).run(into: &problems)
        guard cube.format != nil else { return VerificationReport(problems: problems, catalogPath: nil) }
        await XcubeConventionCheck(cube: cube).run(into: &problems)
        await CFConventionCheck(cube: cube).run(into: &problems)
        if let lineage { LineageCheck(cube: cube, lineage: lineage).run(into: &problems) }
        let stac = STACAgreementCheck.locate(cube: url, given: catalogPath, into: &problems)
        if let stac { await STACAgreementCheck(cube: cube, collectionURL: stac).run(into: &problems) }
        return VerificationReport(problems: problems, catalogPath: stac?.path)
    }
}
