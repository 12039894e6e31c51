public import CubeStorage
import CubeCrypto
import Foundation
import NIOHTTP1

/// A store in an S3 bucket (AWS or any S3-compatible service), below an optional key prefix:
/// key `a/b` is the object `PREFIX/a/b`.
///
/// Requests are signed with AWS Signature Version 4 (unsigned for anonymous access), sent with at
/// most `configuration.maximumConcurrentRequests` in flight, and retried per `configuration.retry`.
/// Uploads carry `Content-MD5`; values of `configuration.multipartThreshold` bytes or more go up in
/// parallel parts. Failures are `StorageError`s naming `s3://bucket/key`.
public final class S3Storage: Storage {
    /// The bucket.
    public let bucket: String
    /// The key prefix inside the bucket, without leading or trailing `/` (empty for the whole bucket).
    public let prefix: String
    /// The service, identity and tuning.
    public let configuration: S3Configuration
    let transport: HTTPTransport

    /// Creates a store; nothing is sent until the first operation.
    public init(bucket: String, prefix: String = "", configuration: S3Configuration) {
        self.bucket = bucket
        self.prefix = prefix.split(separator: "/").joined(separator: "/")
        self.configuration = configuration
        transport = HTTPTransport(maximumConcurrentRequests: configuration.maximumConcurrentRequests,
                                  connectTimeout: configuration.connectTimeout,
                                  requestTimeout: configuration.requestTimeout, readTimeout: configuration.readTimeout,
                                  retry: configuration.retry)
    }

    // MARK: Reading

    /// Returns the whole object for `key`, or `nil` if there is none.
    public func get(_ key: StoreKey) async throws -> [UInt8]? { try await get(key, range: .all) }

    /// Returns `range` of the object for `key` (one ranged GET), or `nil` if there is none.
    public func get(_ key: StoreKey, range: ByteRange) async throws -> [UInt8]? {
        let object = objectKey(key)
        guard let header = range.httpHeaderValue else {
            if range == .all { return try await getObject(object, range: .all, header: nil) }
            guard let info = try await head(key) else { return nil }
            guard range.offsets(in: info.size) != nil else { throw RangedRead.pastEnd(range, info.size, location(object)) }
            return []
        }
        return try await getObject(object, range: range, header: header)
    }

    private func getObject(_ object: String, range: ByteRange, header: String?) async throws -> [UInt8]? {
        let headers = header.map { [(name: "range", value: $0)] } ?? []
        let result = try await send("read", object: object) { try self.request(.GET, object: object, headers: headers) }
        switch result.status {
        case 200, 206:
            return try RangedRead.bytes(of: result, range: range, location: location(object))
        case 404 where S3ErrorDocument(result.body)?.code != "NoSuchBucket":
            return nil
        case 416:
            // S3 refuses a suffix of an empty object, and any range starting past the end.
            guard let info = try await headObject(object) else { return nil }
            if case .suffix = range, info.size == 0 { return [] }
            throw RangedRead.pastEnd(range, info.size, location(object))
        default:
            throw HTTPStatusMapping.error(result, operation: "read", location: location(object))
        }
    }

    /// Returns the size, entity tag and modification date of the object for `key`, or `nil`.
    public func head(_ key: StoreKey) async throws -> ObjectInfo? { try await headObject(objectKey(key)) }

    func headObject(_ object: String) async throws -> ObjectInfo? {
        let result = try await send("inspect", object: object) { try self.request(.HEAD, object: object) }
        switch result.status {
        case 200:
            guard let size = result.header("content-length").flatMap({ Int($0) }) else {
                throw StorageError(operation: "inspect", location: location(object),
                                   reason: "HEAD answer without Content-Length", code: .transient)
            }
            let etag = result.header("etag").map { $0.trimmingCharacters(in: CharacterSet(charactersIn: "\"")) }
            return ObjectInfo(size: size, etag: etag, modified: result.header("last-modified").flatMap(HTTPDate.parse))
        case 404:
            return nil
        default:
            throw HTTPStatusMapping.error(result, operation: "inspect", location: location(object))
        }
    }

    // MARK: Writing

    /// Stores `value` under `key`, replacing any previous object.
    public func set(_ key: StoreKey, to value: [UInt8]) async throws { try await put(key, value, condition: .always) }

    /// Stores `value` under `key`; `.ifAbsent` sends `If-None-Match: *`, so the service decides.
    /// A try whose outcome is unclear (a dropped connection, a timeout) is settled with a HEAD:
    /// an object with this value's MD5 counts as written.
    public func put(_ key: StoreKey, _ value: [UInt8], condition: WriteCondition) async throws {
        let object = objectKey(key)
        if value.count >= configuration.multipartThreshold {
            return try await putMultipart(object, value, condition: condition)
        }
        let md5 = MD5.digest(value)
        var headers: [(name: String, value: String)] = [
            ("content-md5", ByteEncoding.base64(md5)), ("content-type", "application/octet-stream"),
        ]
        if condition == .ifAbsent { headers.append(("if-none-match", "*")) }
        let result: HTTPResult
        do {
            result = try await send("write", object: object) {
                try self.request(.PUT, object: object, headers: headers, body: value)
            }
        } catch let error as StorageError where error.isRetryable && condition == .ifAbsent {
            if try await isStored(object, etag: ByteEncoding.hex(md5), size: value.count) { return }
            throw error
        }
        switch result.status {
        case 200, 201, 204:
            return
        case 409 where condition == .ifAbsent, 412 where condition == .ifAbsent:
            if result.earlierTryUnclear, try await isStored(object, etag: ByteEncoding.hex(md5), size: value.count) {
                return
            }
            throw StorageError(operation: "create", location: location(object), reason: "the object already exists",
                               code: .conditionFailed)
        default:
            let error = HTTPStatusMapping.error(result, operation: "write", location: location(object))
            if error.isRetryable, condition == .ifAbsent,
               try await isStored(object, etag: ByteEncoding.hex(md5), size: value.count) { return }
            throw error
        }
    }

    /// Whether `object` exists with entity tag `etag` and `size` bytes (the check after an unclear
    /// write). Without an entity tag to compare, the write is not taken as ours.
    func isStored(_ object: String, etag: String, size: Int) async throws -> Bool {
        guard let info = try? await headObject(object), let stored = info.etag else { return false }
        return info.size == size && stored.lowercased() == etag.lowercased()
    }

    /// Removes the object for `key`; a missing object is not an error.
    public func delete(_ key: StoreKey) async throws {
        let object = objectKey(key)
        let result = try await send("remove", object: object) { try self.request(.DELETE, object: object) }
        guard [200, 204, 404].contains(result.status) else {
            throw HTTPStatusMapping.error(result, operation: "remove", location: location(object))
        }
    }

    /// Removes `prefix` and every key below it (everything for an empty prefix): lists a page of up
    /// to 1000 keys, deletes them with one DeleteObjects request, and goes on with the next page.
    public func erase(prefix: String) async throws {
        var batch: [String] = []
        for try await key in keys(prefix: prefix.isEmpty ? "" : prefix + "/", pageSize: 1000) {
            batch.append(objectKey(key))
            if batch.count == 1000 {
                try await deleteObjects(batch)
                batch.removeAll(keepingCapacity: true)
            }
        }
        if !prefix.isEmpty, StoreKey.isValid(prefix) { batch.append(objectKey(StoreKey(prefix))) }
        try await deleteObjects(batch)
    }

    /// Creates the bucket; a bucket that exists and is yours already is not an error.
    public func createBucket() async throws {
        var body: [UInt8]?
        if configuration.region != "us-east-1" {
            body = Array(("<CreateBucketConfiguration xmlns=\"http://s3.amazonaws.com/doc/2006-03-01/\">"
                + "<LocationConstraint>\(S3XMLText.escape(configuration.region))</LocationConstraint>"
                + "</CreateBucketConfiguration>").utf8)
        }
        let result = try await send("create bucket", object: nil) { try self.request(.PUT, object: nil, body: body) }
        guard result.status == 200 || S3ErrorDocument(result.body)?.code == "BucketAlreadyOwnedByYou" else {
            throw HTTPStatusMapping.error(result, operation: "create bucket", location: location(nil))
        }
    }

    // MARK: Listing

    /// Returns every key starting with `prefix`, sorted, a page of `configuration.listPageSize` at a time.
    public func list(prefix: String) async throws -> [StoreKey] {
        var keys: [StoreKey] = []
        for try await key in self.keys(prefix: prefix, pageSize: configuration.listPageSize) { keys.append(key) }
        return keys
    }

    /// Returns one ListObjectsV2 page of at most `limit` keys (S3 caps it at 1000).
    public func listPage(prefix: String, continuation: String?, limit: Int) async throws -> StoreListingPage {
        precondition(limit >= 1, "page limit must be at least 1, not \(limit)")
        var query: [(name: String, value: String)] = [
            ("list-type", "2"), ("prefix", objectPrefix(prefix)), ("max-keys", String(min(limit, 1000))),
        ]
        if let continuation { query.append(("continuation-token", continuation)) }
        let result = try await send("list", object: nil) { try self.request(.GET, object: nil, query: query) }
        guard result.status == 200 else {
            throw HTTPStatusMapping.error(result, operation: "list", location: location(objectPrefix(prefix)))
        }
        guard let root = S3XMLElement.parse(result.body), root.name == "ListBucketResult" else {
            throw StorageError(operation: "list", location: location(objectPrefix(prefix)),
                               reason: "the answer is not a ListBucketResult", code: .transient)
        }
        // Objects whose names are no store keys ("a//b", "dir/") are not listed, as files that are no keys.
        let keys = root.children("Contents").compactMap { $0.text("Key") }.compactMap { object -> StoreKey? in
            guard self.prefix.isEmpty || object.hasPrefix(self.prefix + "/") else { return nil }
            let relative = relativeKey(object)
            return StoreKey.isValid(relative) ? StoreKey(relative) : nil
        }
        let truncated = root.text("IsTruncated") == "true"
        let next = truncated ? root.text("NextContinuationToken") : nil
        return StoreListingPage(keys: keys.sorted(), continuation: next)
    }

    // MARK: Requests

    /// The object key for a store key.
    func objectKey(_ key: StoreKey) -> String { prefix.isEmpty ? key.rawValue : prefix + "/" + key.rawValue }

    /// The object-key prefix for a listing prefix.
    private func objectPrefix(_ listing: String) -> String { prefix.isEmpty ? listing : prefix + "/" + listing }

    /// The store key for an object key below the prefix (the object key itself when it is not below it).
    private func relativeKey(_ object: String) -> String {
        guard !prefix.isEmpty else { return object }
        return object.hasPrefix(prefix + "/") ? String(object.dropFirst(prefix.count + 1)) : object
    }

    /// `s3://bucket/object`, for messages.
    func location(_ object: String?) -> String { "s3://\(bucket)/\(object ?? "")" }

    /// Sends a request built (and signed) anew for every try.
    func send(_ operation: String, object: String?, errorBodyIsRetryable: Bool = false,
              _ build: () throws -> HTTPRequestSpec) async throws -> HTTPResult {
        try await transport.send(operation: operation, location: location(object),
                                 errorBodyIsRetryable: errorBodyIsRetryable, build)
    }

    /// A signed request for `object` (the bucket itself for `nil`), dated now.
    func request(_ method: HTTPMethod, object: String?, query: [(name: String, value: String)] = [],
                 headers: [(name: String, value: String)] = [], body: [UInt8]? = nil) throws -> HTTPRequestSpec {
        let endpoint = configuration.endpoint
        var host = endpoint.authority
        var path: String
        switch endpoint.addressing {
        case .path:
            path = "/" + AWSURIEncoding.encodePath(bucket) + (object.map { "/" + AWSURIEncoding.encodePath($0) } ?? "")
        case .virtualHost:
            host = "\(bucket).\(host)"
            path = "/" + (object.map { AWSURIEncoding.encodePath($0) } ?? "")
        }
        var all = headers
        all.append(("host", host))
        var unsigned = SigV4Request(method: method.rawValue, encodedPath: path, query: query, headers: all,
                                    payloadHash: SHA256.hex(body ?? []))
        if let credentials = configuration.credentials {
            let signer = SigV4Signer(credentials: credentials, region: configuration.region)
            all += signer.sign(unsigned, date: Date()).headers
        }
        unsigned.headers = all
        let query = unsigned.encodedQuery
        return HTTPRequestSpec(method: method, url: "\(endpoint.scheme)://\(host)\(path)\(query.isEmpty ? "" : "?" + query)",
                               headers: all, body: body)
    }
}
