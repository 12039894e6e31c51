import Foundation

/// numpy's Gauss–Legendre nodes and weights, and 40-digit mpmath weights for the three northernmost
/// rows (Tests/interop/gaussian_reference.py), checked in.
struct GaussianReference: Decodable {
    struct Case: Decodable {
        let n: Int
        let index: [Int]
        let sines, weights, latitudes: [Double]
        let weights_exact: [Double]
    }

    let generator: String
    let cases: [Case]

    static let shared: GaussianReference = {
        let url = Bundle.module.url(forResource: "gaussian_reference", withExtension: "json", subdirectory: "Fixtures")!
        do {
            return try JSONDecoder().decode(GaussianReference.self, from: Data(contentsOf: url))
        } catch {
            fatalError("cannot read the Gaussian reference at \(url.path): \(error)")
        }
    }()
}
