import CubeStorage
import Testing

@Suite struct StorageURLTests {
    @Test(arguments: [
        ("cubes/out.zarr", "file", "", "cubes/out.zarr"),
        ("/data/out.zarr", "file", "", "/data/out.zarr"),
        ("file:///data/out.zarr/", "file", "", "/data/out.zarr"),
        ("file://localhost/data", "file", "", "/data"),
        ("s3://my-bucket", "s3", "my-bucket", ""),
        ("s3://my-bucket/", "s3", "my-bucket", ""),
        ("s3://my-bucket/cubes/a.zarr/", "s3", "my-bucket", "cubes/a.zarr"),
        ("S3://my.bucket.eu/x", "s3", "my.bucket.eu", "x"),
        ("https://data.example.org:8443/pub/cube.zarr", "https", "data.example.org:8443", "pub/cube.zarr"),
        ("http://127.0.0.1:8333/bucket", "http", "127.0.0.1:8333", "bucket"),
        ("gs://bucket/key", "gs", "bucket", "key"),
    ])
    func parses(text: String, scheme: String, authority: String, path: String) throws {
        let url = try StorageURL(text)
        #expect(url.scheme == scheme)
        #expect(url.authority == authority)
        #expect(url.path == path)
        #expect(url.description == text)
    }

    @Test(arguments: [
        ("", "empty"),
        ("s3://", "no bucket"),
        ("s3:///key", "no bucket"),
        ("s3://My_Bucket/x", "not a valid bucket name"),
        ("s3://ab/x", "not a valid bucket name"),
        ("s3:/bucket/x", "needs '//'"),
        ("s3://bucket/a//b", "empty, '.' or '..' segment"),
        ("s3://bucket/a/../b", "empty, '.' or '..' segment"),
        ("s3://bucket/x?versionId=3", "query strings"),
        ("https:///path", "no host"),
        ("https://user:pw@host/path", "credentials do not belong"),
        ("file://server/share", "local path"),
        ("file://relative", "local path"),
        ("1s3://bucket", "not a URL scheme"),
        ("s3://bucket/a\nb", "line break"),
    ])
    func rejects(text: String, fragment: String) {
        #expect {
            try StorageURL(text)
        } throws: { error in
            guard let error = error as? StorageError else { return false }
            let line = error.description
            return error.code == .invalid && line.contains(fragment) && !line.contains("\n")
        }
    }

    @Test func bucketNames() {
        #expect(StorageURL.isValidBucketName("abc"))
        #expect(StorageURL.isValidBucketName("my.bucket-1"))
        for bad in ["ab", "-abc", "abc-", "ABC", "a..b", String(repeating: "a", count: 64), "ab_c"] {
            #expect(!StorageURL.isValidBucketName(bad), "\(bad)")
        }
    }
}
