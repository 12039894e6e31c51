import Foundation

/// healpy's answers for seeded random points and pixels (Tests/interop/healpix_reference.py).
///
/// Read from `$CUBEGEN_HEALPIX_REFERENCE` when set (the interop test writes a larger fresh one there),
/// otherwise from the checked-in fixture.
struct HEALPixReference: Decodable {
    struct Points: Decodable {
        let lon, lat: [Double]
        let ring, nested: [Int]
        let interp_ring, interp_nested: [[Int]]
        let interp_weights: [[Double]]
        let theta, phi: [Double]
        let theta_ring, theta_nested: [Int]
    }

    struct Pixels: Decodable {
        let nested, ring: [Int]
        let theta, phi: [Double]
        let neighbours_ring, neighbours_nested: [[Int]]
        let boundary_nested: [Int]
        let boundaries, boundaries_step3: [[Double]]
    }

    struct Case: Decodable {
        let nside: Int
        let points: Points
        let pixels: Pixels
    }

    let generator: String
    let cases: [Case]

    /// The reference in use (loaded once).
    static let shared: HEALPixReference = {
        let url: URL
        if let path = ProcessInfo.processInfo.environment["CUBEGEN_HEALPIX_REFERENCE"], !path.isEmpty {
            url = URL(fileURLWithPath: path)
        } else {
            url = Bundle.module.url(forResource: "healpix_reference", withExtension: "json", subdirectory: "Fixtures")!
        }
        do {
            return try JSONDecoder().decode(HEALPixReference.self, from: Data(contentsOf: url))
        } catch {
            fatalError("cannot read the HEALPix reference at \(url.path): \(error)")
        }
    }()
}

/// `|a − b| ≤ tolerance · max(|b|, floor)`: relative, with a floor for values near zero.
func close(_ a: Double, _ b: Double, tolerance: Double = 1e-12, floor: Double = 1) -> Bool {
    abs(a - b) <= tolerance * max(abs(b), floor)
}
