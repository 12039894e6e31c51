/// Percent-encoding as AWS Signature Version 4 defines it: every byte of the UTF-8 form except the
/// unreserved `A–Z a–z 0–9 - . _ ~` becomes `%XX` (uppercase hex); `/` is kept in paths.
public enum AWSURIEncoding {
    private static let hexDigits = Array("0123456789ABCDEF".utf8)

    /// `text` encoded for a query name or value (`/` is encoded).
    public static func encodeComponent(_ text: String) -> String { encode(text, keepingSlash: false) }

    /// `text` encoded for a URL path (`/` is kept): an S3 key as it appears in the request line.
    public static func encodePath(_ text: String) -> String { encode(text, keepingSlash: true) }

    private static func encode(_ text: String, keepingSlash: Bool) -> String {
        var output = [UInt8]()
        output.reserveCapacity(text.utf8.count)
        for byte in text.utf8 {
            switch byte {
            case UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "a")...UInt8(ascii: "z"),
                 UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "-"), UInt8(ascii: "."), UInt8(ascii: "_"),
                 UInt8(ascii: "~"):
                output.append(byte)
            case UInt8(ascii: "/") where keepingSlash:
                output.append(byte)
            default:
                output.append(UInt8(ascii: "%"))
                output.append(hexDigits[Int(byte >> 4)])
                output.append(hexDigits[Int(byte & 15)])
            }
        }
        return String(decoding: output, as: UTF8.self)
    }
}
