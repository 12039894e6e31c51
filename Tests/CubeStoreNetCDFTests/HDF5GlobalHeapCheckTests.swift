import CubeCore
import CubeFixtures
import CubeSamples
import CubeStoreNetCDF
import Foundation
import Testing

/// Damaged global heap collections in a NetCDF-4 file are refused before HDF5 reads them (HDF5
/// 1.10.8 loops forever on a free-space object of size 0 and copies past its buffer on an object
/// larger than its collection); intact ones pass.
@Suite(.serialized) struct HDF5GlobalHeapCheckTests {
    let store = NetCDFStore()

    /// A NetCDF-4 file with dimension scales (netCDF-C keeps their lists on the global heap) and
    /// the offset of its first collection.
    private func file(_ dir: TemporaryDirectory) throws -> (path: String, bytes: [UInt8], collection: Int) {
        let path = dir.path("in.nc")
        try LinearFields.dataset(resolution: 2, days: [7305, 7306], latitudeAscending: false, longitude360: false,
                                 dimensionOrder: ["time", "y", "x"], format: .netCDF4).write(to: path)
        let bytes = [UInt8](try Data(contentsOf: URL(fileURLWithPath: path)))
        let signature = Array("GCOL".utf8) + [1, 0, 0, 0]
        let collection = try #require((0..<(bytes.count - 8)).first { Array(bytes[$0..<($0 + 8)]) == signature })
        return (path, bytes, collection)
    }

    @Test func anIntactHeapPasses() async throws {
        let dir = try TemporaryDirectory("nc")
        defer { dir.remove() }
        let (path, _, _) = try file(dir)
        let descriptor = try await store.describe(path: path)
        #expect(descriptor.variables.map(\.name) == ["tas", "wet", "pk"])
    }

    @Test(arguments: ["object too large", "free space of size 0", "collection past the file"])
    func aDamagedHeapIsOneErrorNamingFileAndByte(damage: String) async throws {
        let dir = try TemporaryDirectory("nc")
        defer { dir.remove() }
        var (path, bytes, collection) = try file(dir)
        let firstObject = collection + 16  // "GCOL", version, reserved, 8-byte collection size
        switch damage {
        case "object too large": bytes[firstObject + 8 + 6] = 0x43  // object size ≈ 2^62
        case "free space of size 0":
            // The first object becomes free space (index 0) of size 0: HDF5 would never move on.
            bytes[firstObject] = 0
            bytes[firstObject + 1] = 0
            for k in 0..<8 { bytes[firstObject + 8 + k] = 0 }
        default: bytes[collection + 8 + 5] = 0x7F  // collection size ≈ 2^47
        }
        try Data(bytes).write(to: URL(fileURLWithPath: path))
        do {
            _ = try await store.describe(path: path)
            Issue.record("a damaged global heap was accepted")
        } catch let error as CubeError {
            #expect(error.message.contains(path) && error.message.contains("global heap collection at byte \(collection)"))
            #expect(!error.message.contains("\n"))
        }
    }
}
