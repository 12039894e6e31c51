/// An AWS access key pair, with a session token for temporary credentials.
///
/// Its descriptions never show the secret or the token, so it can be logged or end up in an error
/// message without leaking them.
public struct S3Credentials: Hashable, Sendable, CustomStringConvertible, CustomDebugStringConvertible {
    /// The access key ID (`AWS_ACCESS_KEY_ID`, `aws_access_key_id`).
    public var accessKeyID: String
    /// The secret access key (`AWS_SECRET_ACCESS_KEY`, `aws_secret_access_key`).
    public var secretAccessKey: String
    /// The session token of temporary credentials (`AWS_SESSION_TOKEN`, `aws_session_token`).
    public var sessionToken: String?

    /// Creates credentials.
    public init(accessKeyID: String, secretAccessKey: String, sessionToken: String? = nil) {
        self.accessKeyID = accessKeyID
        self.secretAccessKey = secretAccessKey
        self.sessionToken = sessionToken
    }

    /// The key ID's first four characters and nothing secret.
    public var description: String {
        "S3Credentials(\(accessKeyID.prefix(4))…, secret redacted\(sessionToken == nil ? "" : ", session token redacted"))"
    }

    /// The same as `description`: nothing secret.
    public var debugDescription: String { description }
}
