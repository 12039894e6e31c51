public import Foundation
import CubeCrypto

/// Signs requests with AWS Signature Version 4 (header form), as S3 expects it.
///
/// A pure value: the same request, credentials and date always give the same signature, so it is
/// tested against AWS's published examples and against botocore. Sign every attempt anew (the date
/// is part of the signature; S3 rejects requests more than 15 minutes old).
public struct SigV4Signer: Sendable {
    /// The key pair to sign with.
    public var credentials: S3Credentials
    /// The region, for example `us-east-1`.
    public var region: String
    /// The service, `s3`.
    public var service: String

    /// The payload hash that tells S3 the body is not signed.
    public static let unsignedPayload = "UNSIGNED-PAYLOAD"

    /// Creates a signer.
    public init(credentials: S3Credentials, region: String, service: String = "s3") {
        self.credentials = credentials
        self.region = region
        self.service = service
    }

    /// Signs `request` as of `date`.
    public func sign(_ request: SigV4Request, date: Date) -> SigV4Signature {
        let (amzDate, day) = Self.timestamps(date)
        var added: [(name: String, value: String)] = []
        let present = Set(request.headers.map { $0.name.lowercased() })
        if !present.contains("x-amz-date") { added.append(("x-amz-date", amzDate)) }
        if !present.contains("x-amz-content-sha256") { added.append(("x-amz-content-sha256", request.payloadHash)) }
        if let token = credentials.sessionToken, !present.contains("x-amz-security-token") {
            added.append(("x-amz-security-token", token))
        }
        let (canonicalHeaders, signedHeaders) = Self.canonicalHeaders(request.headers + added)
        let canonicalRequest = [
            request.method.uppercased(), request.encodedPath, Self.canonicalQuery(request.query),
            canonicalHeaders, signedHeaders, request.payloadHash,
        ].joined(separator: "\n")
        let scope = "\(day)/\(region)/\(service)/aws4_request"
        let stringToSign = ["AWS4-HMAC-SHA256", amzDate, scope, SHA256.hex(Array(canonicalRequest.utf8))]
            .joined(separator: "\n")
        var key = Array("AWS4\(credentials.secretAccessKey)".utf8)
        for part in [day, region, service, "aws4_request"] { key = HMACSHA256.authenticationCode(part, key: key) }
        let signature = ByteEncoding.hex(HMACSHA256.authenticationCode(stringToSign, key: key))
        let authorization = "AWS4-HMAC-SHA256 Credential=\(credentials.accessKeyID)/\(scope), "
            + "SignedHeaders=\(signedHeaders), Signature=\(signature)"
        return SigV4Signature(headers: added + [("authorization", authorization)], canonicalRequest: canonicalRequest,
                              stringToSign: stringToSign, signature: signature)
    }

    /// The canonical query string: names and values encoded, pairs sorted by name then value.
    static func canonicalQuery(_ query: [(name: String, value: String)]) -> String {
        query.map { (AWSURIEncoding.encodeComponent($0.name), AWSURIEncoding.encodeComponent($0.value)) }
            .sorted { $0.0 != $1.0 ? $0.0 < $1.0 : $0.1 < $1.1 }
            .map { "\($0.0)=\($0.1)" }
            .joined(separator: "&")
    }

    /// The canonical header block (each `name:value` line ending in a newline, sorted, values of one
    /// name joined by commas, white space runs collapsed) and the signed-header list.
    static func canonicalHeaders(_ headers: [(name: String, value: String)]) -> (block: String, signed: String) {
        var values: [String: [String]] = [:]
        for (name, value) in headers {
            let collapsed = value.split(whereSeparator: { $0 == " " || $0 == "\t" || $0 == "\n" || $0 == "\r" })
                .joined(separator: " ")
            values[name.lowercased(), default: []].append(collapsed)
        }
        let names = values.keys.sorted()
        let block = names.map { "\($0):\(values[$0]!.joined(separator: ","))\n" }.joined()
        return (block, names.joined(separator: ";"))
    }

    /// The `x-amz-date` form (`20130524T000000Z`) and the day (`20130524`) of `date` in UTC.
    static func timestamps(_ date: Date) -> (amzDate: String, day: String) {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = TimeZone(identifier: "UTC")!
        let c = calendar.dateComponents([.year, .month, .day, .hour, .minute, .second], from: date)
        func two(_ value: Int?) -> String { let v = value ?? 0; return v < 10 ? "0\(v)" : "\(v)" }
        let day = "\(c.year ?? 1970)\(two(c.month))\(two(c.day))"
        return ("\(day)T\(two(c.hour))\(two(c.minute))\(two(c.second))Z", day)
    }
}
