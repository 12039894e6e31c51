internal import CCrypto
import Foundation

extension MD5 {
    /// The digest of a file's content as lowercase hex, read in 4 MiB pieces: what a single-part
    /// upload's entity tag is, to check a downloaded copy against it.
    /// - Throws: when the file cannot be read.
    public static func hex(fileAt path: String) throws -> String {
        guard let handle = FileHandle(forReadingAtPath: path) else {
            throw CocoaError(.fileReadNoSuchFile, userInfo: [NSFilePathErrorKey: path])
        }
        defer { try? handle.close() }
        guard let context = EVP_MD_CTX_new(), EVP_DigestInit_ex(context, EVP_md5(), nil) == 1 else {
            fatalError("libcrypto cannot initialise MD5")
        }
        defer { EVP_MD_CTX_free(context) }
        while let data = try handle.read(upToCount: 4 << 20), !data.isEmpty {
            data.withUnsafeBytes { bytes in
                if let base = bytes.baseAddress { _ = EVP_DigestUpdate(context, base, bytes.count) }
            }
        }
        var digest = [UInt8](repeating: 0, count: 16)
        var length: UInt32 = 0
        EVP_DigestFinal_ex(context, &digest, &length)
        return ByteEncoding.hex(digest)
    }
}
