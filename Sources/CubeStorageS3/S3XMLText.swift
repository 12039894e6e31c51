/// Escaping of text for the XML bodies this client sends (DeleteObjects, CompleteMultipartUpload).
enum S3XMLText {
    /// `text` with `&`, `<`, `>`, `"` and `'` escaped, and control characters as character references.
    static func escape(_ text: String) -> String {
        var output = ""
        output.reserveCapacity(text.utf8.count)
        for scalar in text.unicodeScalars {
            switch scalar {
            case "&": output += "&amp;"
            case "<": output += "&lt;"
            case ">": output += "&gt;"
            case "\"": output += "&quot;"
            case "'": output += "&apos;"
            case _ where scalar.value < 0x20: output += "&#\(scalar.value);"
            default: output.unicodeScalars.append(scalar)
            }
        }
        return output
    }
}
