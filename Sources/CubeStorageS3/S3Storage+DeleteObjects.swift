import CubeCrypto
import CubeStorage
import NIOHTTP1

extension S3Storage {
    /// Deletes up to 1000 objects with one DeleteObjects request (quiet mode: only failures are
    /// reported); falls back to one DELETE per object where the service does not implement it.
    func deleteObjects(_ objects: [String]) async throws {
        guard !objects.isEmpty else { return }
        let entries = objects.map { "<Object><Key>\(S3XMLText.escape($0))</Key></Object>" }.joined()
        let body = Array("<Delete xmlns=\"http://s3.amazonaws.com/doc/2006-03-01/\"><Quiet>true</Quiet>\(entries)</Delete>".utf8)
        let headers: [(name: String, value: String)] = [
            ("content-md5", ByteEncoding.base64(MD5.digest(body))), ("content-type", "application/xml"),
        ]
        let result = try await send("remove", object: nil) {
            try self.request(.POST, object: nil, query: [("delete", "")], headers: headers, body: body)
        }
        if result.status == 501 || S3ErrorDocument(result.body)?.code == "NotImplemented" {
            for object in objects { try await delete(StoreKey(object.dropPrefix(prefix))) }
            return
        }
        guard result.status == 200 else {
            throw HTTPStatusMapping.error(result, operation: "remove", location: location(objects[0]))
        }
        if let root = S3XMLElement.parse(result.body), let failed = root.children("Error").first {
            let key = failed.text("Key") ?? objects[0]
            throw StorageError(operation: "remove", location: location(key),
                               reason: "\(failed.text("Code") ?? "error"): \(failed.text("Message") ?? "")",
                               code: failed.text("Code") == "AccessDenied" ? .denied : .transient)
        }
    }
}

extension String {
    /// The text after `prefix` and a `/` (the whole text for an empty prefix).
    fileprivate func dropPrefix(_ prefix: String) -> String {
        prefix.isEmpty ? self : String(dropFirst(prefix.count + 1))
    }
}
