import CubeCrypto
import CubeStorageS3
import Foundation
import Testing

/// The signer against botocore's: every case of a corpus that `Tests/interop/sigv4_botocore.py` wrote
/// (random keys, queries and headers with spaces, `+`, `=`, `%`, non-ASCII, empty values, `?uploads`,
/// session tokens) must get botocore's signature. The committed corpus always runs;
/// `scripts/test-s3.sh` also runs a freshly seeded one through `CUBEGEN_SIGV4_CASES`.
@Suite struct SigV4CrossCheckTests {
    struct Corpus: Decodable {
        var seed: Int
        var botocore: String
        var cases: [Case]
    }

    struct Case: Decodable {
        struct Credentials: Decodable {
            var access_key: String
            var secret_key: String
            var token: String?
        }

        var name: String
        var method: String
        var key: String
        var query: [[String]]
        var headers: [[String]]
        var body: String
        var credentials: Credentials
        var region: String
        var epoch_seconds: Int
        var expected_signature: String
        var expected_authorization: String
        var expected_payload_hash: String
    }

    static func corpusPath() -> String {
        if let path = ProcessInfo.processInfo.environment["CUBEGEN_SIGV4_CASES"], !path.isEmpty { return path }
        return URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("interop/sigv4_cases.json").path
    }

    @Test func signaturesMatchBotocore() throws {
        let path = Self.corpusPath()
        let corpus = try JSONDecoder().decode(Corpus.self, from: Data(contentsOf: URL(fileURLWithPath: path)))
        #expect(corpus.cases.count >= 100, "the corpus \(path) is too small to mean much")
        var mismatches: [String] = []
        for item in corpus.cases {
            let payloadHash = SHA256.hex(Array(item.body.utf8))
            #expect(payloadHash == item.expected_payload_hash, "\(item.name): body hash")
            let signer = SigV4Signer(
                credentials: S3Credentials(accessKeyID: item.credentials.access_key,
                                           secretAccessKey: item.credentials.secret_key,
                                           sessionToken: item.credentials.token),
                region: item.region)
            let request = SigV4Request(
                method: item.method, encodedPath: "/" + AWSURIEncoding.encodePath(item.key),
                query: item.query.map { ($0[0], $0[1]) }, headers: item.headers.map { ($0[0], $0[1]) },
                payloadHash: payloadHash)
            let signature = signer.sign(request, date: Date(timeIntervalSince1970: TimeInterval(item.epoch_seconds)))
            let authorization = signature.headers.first { $0.name == "authorization" }?.value
            if authorization != item.expected_authorization {
                mismatches.append("\(item.name): ours \(authorization ?? "none")\n  botocore \(item.expected_authorization)\n"
                    + "  canonical request:\n\(signature.canonicalRequest)")
            }
        }
        let mismatchCount = mismatches.count
        #expect(mismatchCount == 0, "\(mismatchCount) of \(corpus.cases.count) signatures differ from botocore \(corpus.botocore) (seed \(corpus.seed)):\n\(mismatches.prefix(3).joined(separator: "\n"))")
    }
}
