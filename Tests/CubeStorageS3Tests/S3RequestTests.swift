@testable import CubeStorageS3
import CubeStorage
import NIOHTTP1
import Testing

/// The requests `S3Storage` builds: URL, `host` header and signature for both addressing styles.
@Suite struct S3RequestTests {
    let credentials = S3Credentials(accessKeyID: "AKIDREQ", secretAccessKey: "request-secret", sessionToken: "tok")

    @Test func virtualHostAddressingOnAWS() throws {
        let storage = S3Storage(bucket: "my-bucket", prefix: "cubes/", configuration: S3Configuration(
            endpoint: .aws(region: "eu-central-1"), region: "eu-central-1", credentials: credentials))
        let request = try storage.request(.GET, object: storage.objectKey("a b/ü+.json"), headers: [("range", "bytes=0-9")])
        #expect(request.url == "https://my-bucket.s3.eu-central-1.amazonaws.com/cubes/a%20b/%C3%BC%2B.json")
        let headers = Dictionary(request.headers.map { ($0.name, $0.value) }, uniquingKeysWith: { a, _ in a })
        #expect(headers["host"] == "my-bucket.s3.eu-central-1.amazonaws.com")
        #expect(headers["x-amz-security-token"] == "tok")
        #expect(headers["x-amz-content-sha256"] == "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855")
        let authorization = try #require(headers["authorization"])
        #expect(authorization.contains("/eu-central-1/s3/aws4_request"))
        #expect(authorization.contains("SignedHeaders=host;range;x-amz-content-sha256;x-amz-date;x-amz-security-token,"))
    }

    @Test func pathAddressingOnCustomEndpointsWithQueries() throws {
        let storage = S3Storage(bucket: "data", configuration: S3Configuration(
            endpoint: try S3Endpoint(url: "http://127.0.0.1:8333/"), region: "us-east-1", credentials: credentials))
        let list = try storage.request(.GET, object: nil, query: [("prefix", "a b/"), ("list-type", "2")])
        #expect(list.url == "http://127.0.0.1:8333/data?list-type=2&prefix=a%20b%2F")
        #expect(list.headers.contains { $0.name == "host" && $0.value == "127.0.0.1:8333" })
        let uploads = try storage.request(.POST, object: "k", query: [("uploads", "")], body: [])
        #expect(uploads.url == "http://127.0.0.1:8333/data/k?uploads=")
        let standardPort = try S3Endpoint(url: "https://minio.example.org:443")
        #expect(standardPort.authority == "minio.example.org")
    }

    @Test func anonymousRequestsAreUnsigned() throws {
        let storage = S3Storage(bucket: "public-data", configuration: S3Configuration(
            endpoint: .aws(region: "us-west-2"), region: "us-west-2", credentials: nil))
        let request = try storage.request(.HEAD, object: "x")
        #expect(!request.headers.contains { $0.name == "authorization" || $0.name.hasPrefix("x-amz-") })
    }

    @Test func multipartEntityTag() {
        // Two parts of 5 MiB + 1 byte: MD5 of the concatenated part MD5s, then the part count.
        let value = [UInt8](repeating: 0, count: (5 << 20) + 1)
        let tag = S3Storage.multipartETag(value, partSize: 5 << 20)
        #expect(tag.hasSuffix("-2") && tag.count == 34)
    }
}
