import Foundation
import Testing
@testable import CubeStoreGRIB

/// Debian's ecCodes 2.28 cannot open a HEALPix message (template 3.150) on its own; with CubeGen's
/// definitions first on the path it decodes one written by ecCodes 2.50 (the PyPI wheel).
@Suite struct HEALPixMessageTests {
    private var fixture: String {
        URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Fixtures/healpix_h2_nested.grib2").path
    }

    @Test func aHEALPixMessageDecodesWithItsNsideOrderingAndValues() throws {
        let messages = try GRIBStore.messages(path: fixture)
        #expect(messages.count == 2)
        for (k, message) in messages.enumerated() {
            #expect(message.gridType == "healpix" && message.nside == 2 && message.numberOfValues == 48)
            #expect(message.nested == (k == 0))
            let values = try GRIBCalls.values(fixture, offset: message.offset, length: message.length)
            let expected = (0..<48).map { 270 + 0.5 * Double($0) + (k == 1 ? 100 : 0) }
            #expect(values.count == 48 && zip(values, expected).allSatisfy { abs($0 - $1) < 1e-2 }, "\(values.prefix(4))")
        }
    }

    @Test func aHEALPixSourceIsAClearNotYetError() async throws {
        do {
            _ = try await GRIBStore().describe(path: fixture)
            Issue.record("a HEALPix file was accepted as a raster")
        } catch {
            #expect("\(error)".contains("HEALPix grid (Nside 2, nested)") && "\(error)".contains("not supported yet"), "\(error)")
        }
    }
}
