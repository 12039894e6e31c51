import CubeCrypto
import CubeStorageS3
import Foundation
import Testing

/// The examples of AWS's S3 documentation ("Signature calculations for the Authorization header:
/// transferring payload in a single chunk"): bucket `examplebucket`, key pair
/// AKIAIOSFODNN7EXAMPLE / wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY, 2013-05-24T00:00:00Z, us-east-1.
@Suite struct SigV4SignerTests {
    let signer = SigV4Signer(
        credentials: S3Credentials(accessKeyID: "AKIAIOSFODNN7EXAMPLE",
                                   secretAccessKey: "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY"),
        region: "us-east-1")
    let date = Date(timeIntervalSince1970: 1_369_353_600)
    let host = ("host", "examplebucket.s3.amazonaws.com")
    let emptyHash = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"

    @Test func getObjectWithRange() {
        let request = SigV4Request(method: "GET", encodedPath: "/test.txt", headers: [host, ("Range", "bytes=0-9")],
                                   payloadHash: emptyHash)
        let signature = signer.sign(request, date: date)
        #expect(signature.canonicalRequest == """
            GET
            /test.txt

            host:examplebucket.s3.amazonaws.com
            range:bytes=0-9
            x-amz-content-sha256:e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855
            x-amz-date:20130524T000000Z

            host;range;x-amz-content-sha256;x-amz-date
            e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855
            """)
        #expect(signature.stringToSign == """
            AWS4-HMAC-SHA256
            20130524T000000Z
            20130524/us-east-1/s3/aws4_request
            7344ae5b7ee6c3e7e6b0fe0640412a37625d1fbfff95c48bbb2dc43964946972
            """)
        #expect(signature.signature == "f0e8bdb87c964420e857bd35b5d6ed310bd44f0170aba48dd91039c6036bdb41")
        let authorization = signature.headers.first { $0.name == "authorization" }?.value
        #expect(authorization == "AWS4-HMAC-SHA256 Credential=AKIAIOSFODNN7EXAMPLE/20130524/us-east-1/s3/aws4_request, "
            + "SignedHeaders=host;range;x-amz-content-sha256;x-amz-date, "
            + "Signature=f0e8bdb87c964420e857bd35b5d6ed310bd44f0170aba48dd91039c6036bdb41")
    }

    @Test func putObject() {
        let payload = SHA256.hex(Array("Welcome to Amazon S3.".utf8))
        #expect(payload == "44ce7dd67c959e0d3524ffac1771dfbba87d2b6b4b4e99e42034a8b803f8b072")
        let request = SigV4Request(
            method: "PUT", encodedPath: AWSURIEncoding.encodePath("/test$file.text"),
            headers: [host, ("Date", "Fri, 24 May 2013 00:00:00 GMT"), ("x-amz-storage-class", "REDUCED_REDUNDANCY")],
            payloadHash: payload)
        let signature = signer.sign(request, date: date)
        #expect(signature.canonicalRequest.hasPrefix("PUT\n/test%24file.text\n\ndate:Fri, 24 May 2013 00:00:00 GMT\n"))
        #expect(signature.signature == "98ad721746da40c64f1a55b78f14c238d841ea1380cd77a1b5971af0ece108bd")
    }

    @Test func getBucketLifecycle() {
        let request = SigV4Request(method: "GET", encodedPath: "/", query: [("lifecycle", "")], headers: [host],
                                   payloadHash: emptyHash)
        let signature = signer.sign(request, date: date)
        #expect(signature.canonicalRequest.hasPrefix("GET\n/\nlifecycle=\n"))
        #expect(signature.signature == "fea454ca298b7da1c68078a5d1bdbfbbe0d65c699e0f91ac7a200a0136783543")
    }

    @Test func listObjects() {
        let request = SigV4Request(method: "GET", encodedPath: "/", query: [("prefix", "J"), ("max-keys", "2")],
                                   headers: [host], payloadHash: emptyHash)
        let signature = signer.sign(request, date: date)
        #expect(signature.canonicalRequest.hasPrefix("GET\n/\nmax-keys=2&prefix=J\n"))
        #expect(signature.signature == "34b48302e7b5fa45bde8084f4b7868a86f0a534bc59db6670ed5711ef69dc6f7")
    }

    @Test func sessionTokenIsSignedAndDatesAreUTC() {
        var withToken = signer
        withToken.credentials.sessionToken = "token/with+chars="
        let request = SigV4Request(method: "GET", encodedPath: "/", headers: [host], payloadHash: emptyHash)
        let signature = withToken.sign(request, date: Date(timeIntervalSince1970: 1_700_000_000.9))
        #expect(signature.headers.contains { $0.name == "x-amz-security-token" && $0.value == "token/with+chars=" })
        #expect(signature.canonicalRequest.contains("x-amz-date:20231114T221320Z\nx-amz-security-token:token/with+chars=\n"))
        #expect(signature.signature != signer.sign(request, date: Date(timeIntervalSince1970: 1_700_000_000)).signature)
    }

    @Test func uriEncoding() {
        #expect(AWSURIEncoding.encodeComponent("a b+c=d%e/f~g_h.i-j") == "a%20b%2Bc%3Dd%25e%2Ff~g_h.i-j")
        #expect(AWSURIEncoding.encodePath("dir/ünï ✓") == "dir/%C3%BCn%C3%AF%20%E2%9C%93")
    }
}
