internal import CCrypto

/// MD5 (RFC 1321), only for what protocols demand of it: S3's `Content-MD5` header and entity tags.
/// Not a security hash.
public enum MD5 {
    /// The 16-byte digest of `message`.
    public static func digest(_ message: [UInt8]) -> [UInt8] {
        var digest = [UInt8](repeating: 0, count: 16)
        var length: UInt32 = 0
        let messageBytes = message.isEmpty ? [0] : message
        let status = EVP_Digest(messageBytes, message.count, &digest, &length, EVP_md5(), nil)
        precondition(status == 1 && length == 16, "libcrypto MD5 failed")
        return digest
    }
}
