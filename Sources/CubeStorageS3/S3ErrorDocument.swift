/// The `<Error>` document of an S3 answer: its code and message only. The rest (`StringToSign`,
/// `CanonicalRequest`, request ids) is never used, so nothing the signer saw can reach an error message.
struct S3ErrorDocument: Sendable {
    /// The S3 error code, for example `NoSuchKey`.
    var code: String
    /// The service's message, cut to one line of at most 200 characters.
    var message: String

    /// Parses `body`, or returns `nil` when it is not an S3 error document.
    init?(_ body: [UInt8]) {
        guard body.count < 1 << 20, let root = S3XMLElement.parse(body), root.name == "Error",
              let code = root.text("Code") else { return nil }
        self.code = code
        let message = (root.text("Message") ?? "").split(whereSeparator: \.isNewline).joined(separator: " ")
        self.message = String(message.prefix(200))
    }
}
