import CubeStorage

/// Turns a final unsuccessful HTTP answer into a `StorageError`: the one place status codes and
/// S3 error codes become `StorageError.Code`s. Messages name the operation and the object, the
/// status and S3's code and message, never a header or credential.
enum HTTPStatusMapping {
    /// The error for `result`, an answer to `operation` on `location`.
    static func error(_ result: HTTPResult, operation: String, location: String) -> StorageError {
        let document = S3ErrorDocument(result.body)
        let code = document?.code
        var reason = "HTTP \(result.status)"
        if let code { reason += " \(code)" }
        if let message = document?.message, !message.isEmpty { reason += ": \(message)" }
        let kind: StorageError.Code
        switch (result.status, code) {
        case (401, _), (403, _): kind = .denied
        case (404, _): kind = .notFound
        case (409, "BucketAlreadyExists"), (409, "BucketNotEmpty"): kind = .invalid
        case (409, _), (412, _): kind = .conditionFailed
        case (429, _), (503, "SlowDown"): kind = .throttled
        case (400, "RequestTimeout"), (408, _), (500...599, _): kind = .transient
        case (301, _), (307, _):
            kind = .invalid
            reason += " (the bucket is elsewhere: check the region and endpoint)"
        case (200, _): kind = .transient
        default: kind = .invalid
        }
        return StorageError(operation: operation, location: location, reason: reason, code: kind)
    }
}
