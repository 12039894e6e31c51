import CubeCore
import CubeCrypto
import Foundation

/// The SHA-256 of local input files remembered between runs (`FileVersionMemo`, namespace
/// `fingerprints`): every cube built from the same archive (a surface cube and a levels cube of
/// the same hourly files, a nightly re-run) hashes each file once, not once per cube (7 GiB of
/// H1024 GRIB cost 6 CPU-seconds per cube). `CUBEGEN_FINGERPRINT_CACHE=off` turns it off.
struct FingerprintCache: Sendable {
    /// Where the digests are remembered.
    let memo: FileVersionMemo

    /// The cache the environment asks for.
    init(environment: [String: String] = ProcessInfo.processInfo.environment, settle: Int = 2) {
        memo = FileVersionMemo(namespace: "fingerprints", environment: environment, settle: settle)
    }

    /// The SHA-256 (hex) of the file at `path`, remembered or computed (and then remembered).
    /// - Throws: what hashing the file throws when it cannot be read.
    func sha256(of path: String) throws -> String {
        guard let version = memo.version(of: path) else { return try SHA256.hex(fileAt: path) }
        if let text = memo.value(for: version), text.count == 64, text.allSatisfy({ $0.isHexDigit && !$0.isUppercase }) {
            return text
        }
        let digest = try SHA256.hex(fileAt: path)
        memo.remember(digest, for: version, path: path)
        return digest
    }
}
