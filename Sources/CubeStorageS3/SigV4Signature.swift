/// The result of signing a request: the headers to add, and the intermediate texts for diagnosis.
public struct SigV4Signature: Sendable {
    /// The headers to add to the request: `x-amz-date`, `x-amz-content-sha256`, `x-amz-security-token`
    /// (with a session token) and `authorization`.
    public var headers: [(name: String, value: String)]
    /// The canonical request that was hashed (it contains no secret, but may contain the session token).
    public var canonicalRequest: String
    /// The string that was signed.
    public var stringToSign: String
    /// The signature, lowercase hex.
    public var signature: String
}
