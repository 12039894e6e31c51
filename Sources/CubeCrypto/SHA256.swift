internal import CCrypto
import Foundation

/// SHA-256 (FIPS 180-4), for recipe and input-file fingerprints, computed by OpenSSL's libcrypto
/// (which uses the CPU's SHA extensions where there are some: about 1.4 GB/s here, against
/// 0.16 GB/s for portable code). Streaming: feed bytes with `update`, read the digest with
/// `finalize` (which leaves the hasher usable).
public struct SHA256 {
    /// Owns the libcrypto digest context.
    private final class Context {
        let pointer: OpaquePointer

        init() {
            guard let context = EVP_MD_CTX_new(), EVP_DigestInit_ex(context, EVP_sha256(), nil) == 1 else {
                fatalError("libcrypto cannot initialise SHA-256")
            }
            pointer = context
        }

        init(copying other: Context) {
            guard let context = EVP_MD_CTX_new(), EVP_MD_CTX_copy_ex(context, other.pointer) == 1 else {
                fatalError("libcrypto cannot copy a SHA-256 context")
            }
            pointer = context
        }

        deinit { EVP_MD_CTX_free(pointer) }
    }

    private var context = Context()

    /// A hasher with nothing hashed yet.
    public init() {}

    /// Hashes `bytes` after what came before.
    public mutating func update(_ bytes: UnsafeRawBufferPointer) {
        guard let base = bytes.baseAddress, bytes.count > 0 else { return }
        if !isKnownUniquelyReferenced(&context) { context = Context(copying: context) }
        EVP_DigestUpdate(context.pointer, base, bytes.count)
    }

    /// Hashes `bytes` after what came before.
    public mutating func update(_ bytes: [UInt8]) { bytes.withUnsafeBytes { update($0) } }

    /// The 32-byte digest of everything hashed.
    public func finalize() -> [UInt8] {
        let copy = Context(copying: context)
        var digest = [UInt8](repeating: 0, count: 32)
        var length: UInt32 = 0
        EVP_DigestFinal_ex(copy.pointer, &digest, &length)
        return digest
    }

    /// The 32-byte digest of `message`.
    public static func digest(_ message: [UInt8]) -> [UInt8] {
        var hasher = SHA256()
        hasher.update(message)
        return hasher.finalize()
    }

    /// The digest of `message` as lowercase hex.
    public static func hex(_ message: [UInt8]) -> String { hexText(digest(message)) }

    /// The digest of a file's content as lowercase hex, read in 1 MiB pieces into one buffer
    /// (a fresh buffer per piece costs a page fault per page: a tenth of the hashing time).
    /// - Throws: when the file cannot be read.
    public static func hex(fileAt path: String) throws -> String {
        let descriptor = open(path, O_RDONLY)
        guard descriptor >= 0 else { throw CocoaError(.fileReadNoSuchFile, userInfo: [NSFilePathErrorKey: path]) }
        defer { close(descriptor) }
        var hasher = SHA256()
        let buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: 1 << 20, alignment: 64)
        defer { buffer.deallocate() }
        while true {
            let count = read(descriptor, buffer.baseAddress, buffer.count)
            if count < 0 {
                if errno == EINTR { continue }
                throw CocoaError(.fileReadUnknown, userInfo: [NSFilePathErrorKey: path])
            }
            if count == 0 { break }
            hasher.update(UnsafeRawBufferPointer(rebasing: buffer[0..<count]))
        }
        return hexText(hasher.finalize())
    }

    private static func hexText(_ digest: [UInt8]) -> String { ByteEncoding.hex(digest) }
}
