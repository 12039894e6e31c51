internal import CCrypto

/// HMAC-SHA256 (RFC 2104 with SHA-256), for AWS Signature Version 4 request signing, computed by libcrypto.
public enum HMACSHA256 {
    /// The 32-byte authentication code of `message` under `key`.
    public static func authenticationCode(_ message: [UInt8], key: [UInt8]) -> [UInt8] {
        var code = [UInt8](repeating: 0, count: 32)
        var length: UInt32 = 0
        // Never hand libcrypto an empty array's pointer: a one-byte stand-in, with the real length.
        let keyBytes = key.isEmpty ? [0] : key
        let messageBytes = message.isEmpty ? [0] : message
        let done = HMAC(EVP_sha256(), keyBytes, Int32(key.count), messageBytes, message.count, &code, &length)
        precondition(done != nil && length == 32, "libcrypto HMAC-SHA256 failed")
        return code
    }

    /// The authentication code of the UTF-8 bytes of `message` under `key`.
    public static func authenticationCode(_ message: String, key: [UInt8]) -> [UInt8] {
        authenticationCode(Array(message.utf8), key: key)
    }
}
