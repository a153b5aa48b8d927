import CustodianCore
import Foundation
import Testing

@Suite("Verification codes")
struct VerificationCodeTests {
    static let key = VerificationCodeKey(base64Key: Data(repeating: 3, count: 32).base64EncodedString())!
    static let now = Date(timeIntervalSince1970: 1_800_000_000)

    @Test("six digits, stable for a verification, different between verifications and keys")
    func derivation() {
        let id = UUID()
        let code = Self.key.code(for: id)
        #expect(code.count == 6 && code.allSatisfy(\.isNumber) && code == Self.key.code(for: id))
        let others = Set((0..<50).map { _ in Self.key.code(for: UUID()) })
        #expect(others.count > 45, "codes spread out")
        #expect(VerificationCodeKey(base64Key: Data(repeating: 4, count: 32).base64EncodedString())!.code(for: id) != code)
        #expect(VerificationCodeKey(base64Key: Data(repeating: 4, count: 31).base64EncodedString()) == nil)
    }

    @Test("10 minutes, 5 attempts")
    func rules() {
        let created = Self.now.addingTimeInterval(-60)
        #expect(VerificationCode.check(entered: "123456", expected: "123456", createdAt: created, attemptsBefore: 0, now: Self.now) == .accepted)
        #expect(VerificationCode.check(entered: " 123456 ", expected: "123456", createdAt: created, attemptsBefore: 4, now: Self.now) == .accepted)
        #expect(VerificationCode.check(entered: "123457", expected: "123456", createdAt: created, attemptsBefore: 0, now: Self.now) == .wrong(attemptsLeft: 4))
        #expect(VerificationCode.check(entered: "123456", expected: "123456", createdAt: created, attemptsBefore: 5, now: Self.now) == .exhausted)
        #expect(VerificationCode.check(entered: "123456", expected: "123456", createdAt: Self.now.addingTimeInterval(-601), attemptsBefore: 0,
                                       now: Self.now) == .expired)
        #expect(VerificationCode.check(entered: "12345", expected: "123456", createdAt: created, attemptsBefore: 0, now: Self.now) == .wrong(attemptsLeft: 4))
    }
}
