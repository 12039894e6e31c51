import CubeCrypto
import CubeStorage
import NIOHTTP1

extension S3Storage {
    /// Uploads `value` in parts of `configuration.partSize` bytes, several at once, then completes
    /// the upload (with `If-None-Match: *` for `.ifAbsent`). Any failure aborts the upload, so no
    /// parts are left behind. A completion whose outcome is unclear is settled with a HEAD: the
    /// object counts as written when its size and multipart entity tag are this upload's.
    func putMultipart(_ object: String, _ value: [UInt8], condition: WriteCondition) async throws {
        let partSize = max(configuration.partSize, (value.count + 9_999) / 10_000)
        let count = (value.count + partSize - 1) / partSize
        let uploadID = try await createMultipartUpload(object)
        do {
            let etags = try await uploadParts(object, value, uploadID: uploadID, partSize: partSize, count: count)
            try await completeMultipartUpload(object, uploadID: uploadID, etags: etags, value: value,
                                              partSize: partSize, condition: condition)
        } catch {
            try? await abortMultipartUpload(object, uploadID: uploadID)
            throw error
        }
    }

    private func createMultipartUpload(_ object: String) async throws -> String {
        let result = try await send("start upload", object: object) {
            try self.request(.POST, object: object, query: [("uploads", "")],
                             headers: [("content-type", "application/octet-stream")], body: [])
        }
        guard result.status == 200 else {
            throw HTTPStatusMapping.error(result, operation: "start upload", location: location(object))
        }
        guard let id = S3XMLElement.parse(result.body)?.text("UploadId"), !id.isEmpty else {
            throw StorageError(operation: "start upload", location: location(object),
                               reason: "the answer has no UploadId", code: .transient)
        }
        return id
    }

    /// Uploads parts 1…count with at most `configuration.maximumConcurrentRequests` at once; returns their entity tags in order.
    private func uploadParts(_ object: String, _ value: [UInt8], uploadID: String, partSize: Int,
                             count: Int) async throws -> [String] {
        try await withThrowingTaskGroup(of: (Int, String).self) { group in
            var etags = [String](repeating: "", count: count)
            var next = 0
            func addPart() {
                let number = next + 1
                let bounds = next * partSize..<min(value.count, (next + 1) * partSize)
                next += 1
                group.addTask { (number, try await self.uploadPart(object, Array(value[bounds]), number: number, uploadID: uploadID)) }
            }
            while next < min(count, configuration.maximumConcurrentRequests) { addPart() }
            while let (number, etag) = try await group.next() {
                etags[number - 1] = etag
                if next < count { addPart() }
            }
            return etags
        }
    }

    private func uploadPart(_ object: String, _ part: [UInt8], number: Int, uploadID: String) async throws -> String {
        let md5 = ByteEncoding.base64(MD5.digest(part))
        let result = try await send("upload part \(number) of", object: object) {
            try self.request(.PUT, object: object, query: [("partNumber", String(number)), ("uploadId", uploadID)],
                             headers: [("content-md5", md5)], body: part)
        }
        guard result.status == 200, let etag = result.header("etag") else {
            throw HTTPStatusMapping.error(result, operation: "upload part \(number) of", location: location(object))
        }
        return etag
    }

    private func completeMultipartUpload(_ object: String, uploadID: String, etags: [String], value: [UInt8],
                                         partSize: Int, condition: WriteCondition) async throws {
        let parts = etags.enumerated().map { index, etag in
            "<Part><PartNumber>\(index + 1)</PartNumber><ETag>\(S3XMLText.escape(etag))</ETag></Part>"
        }.joined()
        let body = Array("<CompleteMultipartUpload xmlns=\"http://s3.amazonaws.com/doc/2006-03-01/\">\(parts)</CompleteMultipartUpload>".utf8)
        var headers: [(name: String, value: String)] = [("content-type", "application/xml")]
        if condition == .ifAbsent { headers.append(("if-none-match", "*")) }
        let expected = Self.multipartETag(value, partSize: partSize)
        let result: HTTPResult
        do {
            result = try await send("complete upload of", object: object, errorBodyIsRetryable: true) {
                try self.request(.POST, object: object, query: [("uploadId", uploadID)], headers: headers, body: body)
            }
        } catch let error as StorageError where error.isRetryable {
            if try await isStored(object, etag: expected, size: value.count) { return }
            throw error
        }
        if result.status == 200, S3ErrorDocument(result.body) == nil { return }
        if result.earlierTryUnclear || HTTPTransport.retryableReason(result, errorBodyIsRetryable: true) != nil,
           try await isStored(object, etag: expected, size: value.count) {
            return
        }
        if condition == .ifAbsent, result.status == 412 || result.status == 409 {
            throw StorageError(operation: "create", location: location(object), reason: "the object already exists",
                               code: .conditionFailed)
        }
        throw HTTPStatusMapping.error(result, operation: "complete upload of", location: location(object))
    }

    private func abortMultipartUpload(_ object: String, uploadID: String) async throws {
        _ = try await send("abort upload of", object: object) {
            try self.request(.DELETE, object: object, query: [("uploadId", uploadID)])
        }
    }

    /// The entity tag S3 gives a multipart object: the MD5 of the parts' MD5s, a dash, the part count.
    static func multipartETag(_ value: [UInt8], partSize: Int) -> String {
        var digests: [UInt8] = []
        var start = 0
        var count = 0
        while start < value.count {
            digests += MD5.digest(Array(value[start..<min(value.count, start + partSize)]))
            start += partSize
            count += 1
        }
        return "\(ByteEncoding.hex(MD5.digest(digests)))-\(count)"
    }
}
