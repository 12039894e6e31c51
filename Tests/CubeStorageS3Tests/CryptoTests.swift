import CubeCrypto
import Testing

@Suite struct CryptoTests {
    // RFC 4231 test cases 1, 2 and 6 (a key longer than the block size).
    @Test func hmacSHA256() {
        let one = HMACSHA256.authenticationCode(Array("Hi There".utf8), key: [UInt8](repeating: 0x0b, count: 20))
        #expect(ByteEncoding.hex(one) == "b0344c61d8db38535ca8afceaf0bf12b881dc200c9833da726e9376c2e32cff7")
        let two = HMACSHA256.authenticationCode("what do ya want for nothing?", key: Array("Jefe".utf8))
        #expect(ByteEncoding.hex(two) == "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843")
        let six = HMACSHA256.authenticationCode("Test Using Larger Than Block-Size Key - Hash Key First",
                                                key: [UInt8](repeating: 0xaa, count: 131))
        #expect(ByteEncoding.hex(six) == "60e431591ee0b67f0d8a26aacbf5b77f8e0bc6213728c5140546040f0ee37f54")
        #expect(HMACSHA256.authenticationCode([], key: []).count == 32)
    }

    // RFC 1321 appendix A.5.
    @Test func md5() {
        #expect(ByteEncoding.hex(MD5.digest([])) == "d41d8cd98f00b204e9800998ecf8427e")
        #expect(ByteEncoding.hex(MD5.digest(Array("abc".utf8))) == "900150983cd24fb0d6963f7d28e17f72")
        #expect(ByteEncoding.hex(MD5.digest(Array("message digest".utf8))) == "f96b697d7cb7938d525a2f31aaf161d0")
        #expect(ByteEncoding.base64(MD5.digest(Array("abc".utf8))) == "kAFQmDzST7DWlj99KOF/cg==")
    }
}
