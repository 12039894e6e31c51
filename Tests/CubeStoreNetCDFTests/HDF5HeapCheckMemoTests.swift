import CubeCore
import CubeFixtures
import CubeSamples
@testable import CubeStoreNetCDF
import Foundation
import Testing

/// The global heap check is remembered per file version between runs (`FileVersionMemo`): a
/// sound file is scanned once, a damaged one every time, and any new version of a file is
/// scanned anew.
@Suite struct HDF5HeapCheckMemoTests {
    @Test func aSoundFileIsRememberedAndANewVersionScannedAgain() throws {
        let dir = try TemporaryDirectory("heap-memo")
        defer { dir.remove() }
        let path = dir.path("in.nc")
        try LinearFields.dataset(resolution: 2, days: [7305, 7306], latitudeAscending: false, longitude360: false,
                                 dimensionOrder: ["time", "y", "x"], format: .netCDF4).write(to: path)
        let memo = FileVersionMemo(namespace: "hdf5-heap-checked", environment: ["XDG_CACHE_HOME": dir.path("cache")], settle: 0)
        try HDF5GlobalHeapCheck.check(path: path, memo: memo)
        let version = try #require(memo.version(of: path))
        #expect(memo.value(for: version) == "sound")

        // A damaged version of the file (a new inode, as an atomic rewrite makes) is scanned and refused.
        var bytes = [UInt8](try Data(contentsOf: URL(fileURLWithPath: path)))
        let signature = Array("GCOL".utf8) + [1, 0, 0, 0]
        let collection = try #require((0..<(bytes.count - 8)).first { Array(bytes[$0..<($0 + 8)]) == signature })
        bytes[collection + 8 + 5] = 0x7F  // collection size ≈ 2^47
        try Data(bytes).write(to: URL(fileURLWithPath: path), options: .atomic)
        let damaged = try #require(memo.version(of: path))
        #expect(damaged != version && memo.value(for: damaged) == nil)
        #expect(throws: HDF5GlobalHeapCheck.Failure.self) { try HDF5GlobalHeapCheck.check(path: path, memo: memo) }
        #expect(memo.value(for: damaged) == nil)

        // What is remembered is believed without a scan (so only passing versions are ever written).
        memo.remember("sound", for: damaged, path: path)
        try HDF5GlobalHeapCheck.check(path: path, memo: memo)
    }

    @Test func offOrAFreshFileIsNeverRemembered() throws {
        let dir = try TemporaryDirectory("heap-memo")
        defer { dir.remove() }
        let path = dir.path("in.nc")
        try LinearFields.dataset(resolution: 2, days: [7305], latitudeAscending: false, longitude360: false,
                                 dimensionOrder: ["time", "y", "x"], format: .netCDF4).write(to: path)
        let off = FileVersionMemo(namespace: "hdf5-heap-checked",
                                  environment: ["XDG_CACHE_HOME": dir.path("cache"), "CUBEGEN_FINGERPRINT_CACHE": "off"], settle: 0)
        try HDF5GlobalHeapCheck.check(path: path, memo: off)
        #expect(off.version(of: path) == nil)
        let fresh = FileVersionMemo(namespace: "hdf5-heap-checked", environment: ["XDG_CACHE_HOME": dir.path("cache")], settle: 60)
        try HDF5GlobalHeapCheck.check(path: path, memo: fresh)
        #expect(!FileManager.default.fileExists(atPath: dir.path("cache/cubegen/hdf5-heap-checked")))
    }
}
