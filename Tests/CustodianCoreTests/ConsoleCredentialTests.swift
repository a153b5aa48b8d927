@testable import CustodianCore
import Foundation
import Testing

@Suite("Console credentials")
struct ConsoleCredentialTests {
    @Test("a password hash verifies its password only, survives encoding, and salts every hash anew")
    func passwordHash() throws {
        let hash = try PasswordHash.make(password: "correct horse battery staple", iterations: 1000)
        #expect(hash.verifies("correct horse battery staple"))
        #expect(!hash.verifies("correct horse battery stapl"))
        #expect(!hash.verifies(""))
        let stored = try #require(PasswordHash(encoded: hash.encoded))
        #expect(stored == hash && stored.verifies("correct horse battery staple"))
        #expect(hash.encoded.hasPrefix("pbkdf2-sha256$1000$"))
        #expect(try PasswordHash.make(password: "correct horse battery staple", iterations: 1000).encoded != hash.encoded, "a new salt each time")
        #expect(!hash.encoded.contains("correct"))
        for broken in ["", "pbkdf2-sha256$0$AAAA$AAAA", "bcrypt$10$AAAA$AAAA", "pbkdf2-sha256$1000$$" + hash.encoded.split(separator: "$")[3]] {
            #expect(PasswordHash(encoded: broken) == nil, "\(broken)")
        }
        #expect(PasswordHash.defaultIterations >= 600_000, "OWASP's minimum for PBKDF2-HMAC-SHA256")
    }

    @Test("PBKDF2-HMAC-SHA256 matches RFC 7914's test vector")
    func pbkdf2Vector() throws {
        // RFC 7914 §11: P = "passwd", S = "salt", c = 1, dkLen = 64; the first 32 bytes.
        let hash = PasswordHash(iterations: 1, salt: Array("salt".utf8), hash: [
            0x55, 0xac, 0x04, 0x6e, 0x56, 0xe3, 0x08, 0x9f, 0xec, 0x16, 0x91, 0xc2, 0x25, 0x44, 0xb6, 0x05,
            0xf9, 0x41, 0x85, 0x21, 0x6d, 0xde, 0x04, 0x65, 0xe6, 0x8b, 0x9d, 0x57, 0xc2, 0x0d, 0xac, 0xbc,
        ])
        #expect(hash.verifies("passwd"))
    }

    @Test("TOTP codes match RFC 6238's SHA-1 test vectors", arguments: [
        (59, "94287082"), (1_111_111_109, "07081804"), (1_111_111_111, "14050471"), (1_234_567_890, "89005924"),
        (2_000_000_000, "69279037"), (20_000_000_000, "65353130"),
    ] as [(Int64, String)])
    func rfc6238(seconds: Int64, expected: String) {
        let totp = TOTP(secret: Array("12345678901234567890".utf8))
        #expect(totp.code(step: seconds / TOTP.stepSeconds, digits: 8) == expected)
    }

    @Test("a code is accepted for its step and the steps beside it, nothing else")
    func window() {
        let totp = TOTP(secret: Array("12345678901234567890".utf8))
        let now = Date(timeIntervalSince1970: 59)
        #expect(totp.matchingStep(of: "287082", at: now) == 1)
        #expect(totp.matchingStep(of: "287 082", at: now) == 1)
        #expect(totp.matchingStep(of: totp.code(step: 0), at: now) == 0)
        #expect(totp.matchingStep(of: totp.code(step: 2), at: now) == 2)
        #expect(totp.matchingStep(of: totp.code(step: 3), at: now) == nil)
        #expect(totp.matchingStep(of: "28708", at: now) == nil)
        #expect(totp.matchingStep(of: "２８７０８２", at: now) == nil, "full-width digits are not digits here")
    }

    @Test("the secret is given to authenticator apps in unpadded base32 and an otpauth URI")
    func provisioning() {
        #expect(Base32.encode(Array("foobar".utf8)) == "MZXW6YTBOI")
        #expect(Base32.encode(Array("12345678901234567890".utf8)) == "GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ")
        let uri = TOTP(secret: Array("12345678901234567890".utf8)).provisioningURI(issuer: "Custodian", account: "dpo@shop.example")
        #expect(uri == "otpauth://totp/Custodian:dpo@shop.example?secret=GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ&issuer=Custodian&algorithm=SHA1&digits=6&period=30")
    }
}
