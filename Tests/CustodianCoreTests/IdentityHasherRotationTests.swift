import CustodianCore
import Foundation
import Testing

/// The identity hash key rotates: new hashes under the current key, old ones still recognised under previous keys.
@Suite struct IdentityHasherRotationTests {
    static let oldKey = Data((0..<32).map { UInt8($0) }).base64EncodedString()
    static let newKey = Data((0..<32).map { UInt8(255 - $0) }).base64EncodedString()

    @Test func candidatesCoverEveryKey() throws {
        let before = try #require(IdentityHasher(base64Key: Self.oldKey))
        let after = try #require(IdentityHasher(base64Key: Self.newKey, previousBase64Keys: [Self.oldKey]))
        #expect(after.email("A@Example.com") != before.email("a@example.com"), "new hashes are made under the new key")
        #expect(after.emailCandidates("A@Example.com") == [after.email("a@example.com"), before.email("a@example.com")])
        #expect(after.phoneCandidates("+79990001122").last == before.phone("+79990001122"))
        #expect(IdentityHasher(base64Key: Self.newKey, previousBase64Keys: ["short"]) == nil, "a bad previous key is refused, not skipped")
    }
}
