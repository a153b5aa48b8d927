import CustodianCore
import Foundation
import Testing

@Suite("Consent rules")
struct ConsentRulesTests {
    let now = Date(timeIntervalSince1970: 1_800_000_000)

    func context(
        _ basis: LegalBasis = .consent, retired: Bool = false, status: SubjectStatus = .active, effective: TimeInterval = -86400,
        textsRegistered: Bool = false, text: ConsentTextFacts? = nil
    ) -> ConsentContext {
        ConsentContext(
            legalBasis: basis, requiresConsent: basis == .consent, purposeRetired: retired, subjectStatus: status,
            policyEffectiveAt: now.addingTimeInterval(effective), consentTextsRegistered: textsRegistered, consentText: text)
    }

    func check(_ action: ConsentAction, _ context: ConsentContext, at occurred: Date? = nil) throws(ConsentRefusal) {
        try ConsentRules.check(action: action, purpose: "p", policyLabel: "v1", occurredAt: occurred ?? now, now: now, context: context)
    }

    @Test("grants and withdrawals of a consent-based purpose by an active subject are accepted")
    func accepted() throws {
        try check(.grant, context())
        try check(.withdraw, context())
    }

    @Test("a purpose on another basis takes no consent events, and the refusal names the basis", arguments: [LegalBasis.contract, .legalObligation, .legitimateInterest])
    func otherBasis(basis: LegalBasis) {
        for action in ConsentAction.allCases {
            #expect(throws: ConsentRefusal.notConsentBased(purpose: "p", basis: basis)) { try check(action, context(basis)) }
        }
    }

    @Test("a restricted subject may withdraw but not grant; an erased one neither")
    func subjectStatus() throws {
        #expect(throws: ConsentRefusal.subjectNotActive(.restricted)) { try check(.grant, context(status: .restricted)) }
        try check(.withdraw, context(status: .restricted))
        #expect(throws: ConsentRefusal.subjectNotActive(.erased)) { try check(.grant, context(status: .erased)) }
        #expect(throws: ConsentRefusal.subjectNotActive(.erased)) { try check(.withdraw, context(status: .erased)) }
    }

    @Test("a retired purpose takes withdrawals but no grants")
    func retired() throws {
        #expect(throws: ConsentRefusal.purposeRetired(purpose: "p")) { try check(.grant, context(retired: true)) }
        try check(.withdraw, context(retired: true))
    }

    @Test("the policy version must be in effect when the customer acted; the act may not lie in the future")
    func timing() throws {
        #expect(throws: ConsentRefusal.policyNotYetEffective(label: "v1")) { try check(.grant, context(effective: 60)) }
        try check(.grant, context(effective: 0))
        #expect(throws: ConsentRefusal.occurredInFuture) { try check(.grant, context(), at: now.addingTimeInterval(301)) }
        try check(.grant, context(), at: now.addingTimeInterval(299))
    }

    @Test("once consent texts are registered a grant names one, in effect and covering the purpose; a withdrawal needs none")
    func consentTexts() throws {
        try check(.grant, context(textsRegistered: false), at: now)
        #expect(throws: ConsentRefusal.consentTextRequired) { try check(.grant, context(textsRegistered: true)) }
        try check(.withdraw, context(textsRegistered: true))
        let covering = ConsentTextFacts(label: "c1", coversPurpose: true, effectiveAt: now.addingTimeInterval(-60))
        try check(.grant, context(textsRegistered: true, text: covering))
        let other = ConsentTextFacts(label: "c2", coversPurpose: false, effectiveAt: now.addingTimeInterval(-60))
        #expect(throws: ConsentRefusal.consentTextDoesNotCover(label: "c2", purpose: "p")) { try check(.grant, context(textsRegistered: true, text: other)) }
        let future = ConsentTextFacts(label: "c3", coversPurpose: true, effectiveAt: now.addingTimeInterval(60))
        #expect(throws: ConsentRefusal.consentTextNotYetEffective(label: "c3")) { try check(.grant, context(textsRegistered: true, text: future)) }
    }
}

@Suite("IP address truncation")
struct IPAddressTruncationTests {
    @Test("IPv4 keeps /24 and IPv6 /48", arguments: [
        ("203.0.113.195", "203.0.113.0"),
        ("10.0.0.1", "10.0.0.0"),
        ("2001:db8:85a3:8d3:1319:8a2e:370:7348", "2001:db8:85a3::"),
        ("2001:DB8::1", "2001:db8:0::"),
        ("::ffff:192.0.2.128", "::ffff:192.0.2.0"),
        ("fe80::1", "fe80:0:0::"),
    ])
    func truncates(raw: String, expected: String) {
        #expect(IPAddressTruncation.truncate(raw) == expected)
    }

    @Test("anything else is not an address", arguments: ["", "1.2.3", "1.2.3.4.5", "256.1.1.1", "01.2.3.4", "1::2::3", "12345::", "g::1", "example.com", "1:2:3:4:5:6:7:8:9"])
    func rejects(raw: String) {
        #expect(IPAddressTruncation.truncate(raw) == nil)
    }
}

@Suite("Purpose and policy version input")
struct PurposeInputTests {
    @Test("a consent-based purpose must require consent; codes follow the pattern")
    func purposes() throws {
        let purpose = try NewPurpose(
            code: "loyalty_programme", title: " Loyalty ", description: nil, legalBasis: .consent, requiresConsent: nil,
            retentionDays: 30, recipientKinds: [.emailProvider, .emailProvider], dataCategories: [.email])
        #expect(purpose.requiresConsent)
        #expect(purpose.title == "Loyalty")
        #expect(purpose.recipientKinds == [.emailProvider])
        do {
            _ = try NewPurpose(code: "Bad Code", title: "", description: nil, legalBasis: .consent, requiresConsent: false, retentionDays: -1, recipientKinds: nil, dataCategories: nil)
            Issue.record("accepted an invalid purpose")
        } catch {
            #expect(error.errors.map(\.field) == ["code", "requires_consent", "title", "retention_days"])
        }
    }

    @Test("policy versions need a label, an http(s) URL and a SHA-256")
    func policyVersions() throws {
        let version = try PublishedDocument(label: "2026-11", url: "https://shop.example/privacy", textSHA256: String(repeating: "AB", count: 32), effectiveAt: Date())
        #expect(version.textSHA256 == String(repeating: "ab", count: 32))
        do {
            _ = try PublishedDocument(label: "", url: "ftp://x", textSHA256: "abc", effectiveAt: Date())
            Issue.record("accepted an invalid version")
        } catch {
            #expect(error.errors.map(\.field) == ["label", "url", "text_sha256"])
        }
    }

    @Test("consent texts are documents too, and name 1 to 50 distinct purposes")
    func consentTexts() throws {
        let text = try NewConsentText(
            label: "consent-2026", url: "https://shop.example/consent", textSHA256: String(repeating: "c", count: 64), effectiveAt: Date(),
            purposes: ["newsletter", "analytics"])
        #expect(text.purposes == ["newsletter", "analytics"])
        do {
            _ = try NewConsentText(label: "", url: "https://shop.example/consent", textSHA256: "x", effectiveAt: Date(), purposes: ["a", "a"])
            Issue.record("accepted an invalid consent text")
        } catch {
            #expect(error.errors.map(\.field) == ["label", "text_sha256", "purposes"])
        }
    }
}
