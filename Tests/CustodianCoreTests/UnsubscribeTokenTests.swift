import CustodianCore
import Foundation
import Testing

@Suite("Unsubscribe tokens")
struct UnsubscribeTokenTests {
    static let old = UnsubscribeKey(setting: "k2025:" + Data(repeating: 1, count: 32).base64EncodedString())!
    static let new = UnsubscribeKey(setting: "k2026:" + Data(repeating: 2, count: 32).base64EncodedString())!

    @Test("a token names subject, purpose and token id, carries no personal data, and verifies under its key")
    func roundTrip() throws {
        let ring = UnsubscribeKeyring(current: Self.new)
        let subject = UUID()
        let token = ring.issue(subjectID: subject, purpose: "newsletter", tokenID: Data(repeating: 0xAB, count: 12))
        let claim = try #require(ring.verify(token))
        #expect(claim == UnsubscribeClaim(subjectID: subject, purpose: "newsletter", tokenID: String(repeating: "ab", count: 12)))
        #expect(token.allSatisfy { $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "-" || $0 == "_") }, "URL-safe as it stands")
        #expect(ring.issue(subjectID: subject, purpose: "newsletter") != ring.issue(subjectID: subject, purpose: "newsletter"), "a fresh id each time")
    }

    @Test("a tampered, truncated or foreign token is refused")
    func tampering() {
        let ring = UnsubscribeKeyring(current: Self.new)
        let token = ring.issue(subjectID: UUID(), purpose: "newsletter")
        var bytes = Array(token)
        let middle = bytes.count / 2
        bytes[middle] = bytes[middle] == "A" ? "B" : "A"
        #expect(ring.verify(String(bytes)) == nil)
        #expect(ring.verify(String(token.dropLast(4))) == nil)
        #expect(ring.verify("") == nil && ring.verify("not a token!") == nil && ring.verify(String(repeating: "A", count: 500)) == nil)
        #expect(ring.verify(UnsubscribeKeyring(current: Self.old).issue(subjectID: UUID(), purpose: "newsletter")) == nil)
    }

    @Test("links of a previous key keep working while it is listed; dropping it revokes them")
    func rotation() {
        let before = UnsubscribeKeyring(current: Self.old).issue(subjectID: UUID(), purpose: "newsletter")
        #expect(UnsubscribeKeyring(current: Self.new, previous: [Self.old]).verify(before) != nil)
        #expect(UnsubscribeKeyring(current: Self.new).verify(before) == nil)
    }

    @Test("a key setting is id:base64 of at least 32 bytes")
    func settings() {
        #expect(UnsubscribeKey(setting: "k1:" + Data(repeating: 1, count: 31).base64EncodedString()) == nil)
        #expect(UnsubscribeKey(setting: "bad id:" + Data(repeating: 1, count: 32).base64EncodedString()) == nil)
        #expect(UnsubscribeKey(setting: Data(repeating: 1, count: 32).base64EncodedString()) == nil)
        #expect(UnsubscribeKey(setting: " k1:" + Data(repeating: 1, count: 32).base64EncodedString())?.id == "k1")
        #expect(ListUnsubscribeHeaders.value(for: "https://x.example/u/t") == "<https://x.example/u/t>")
    }
}
