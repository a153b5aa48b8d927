import CustodianCore
import Foundation
import Testing

/// What the privacy center accepts and for how long it offers an export.
@Suite struct PrivacyCenterRulesTests {
    @Test("an export can be downloaded for 7 days after fulfilment, not before it and not after")
    func exportWindow() {
        let completed = Date(timeIntervalSince1970: 1_800_000_000)
        #expect(!PrivacyCenterRules.exportAvailable(completedAt: nil, now: completed))
        #expect(PrivacyCenterRules.exportAvailable(completedAt: completed, now: completed))
        #expect(PrivacyCenterRules.exportAvailable(completedAt: completed, now: completed.addingTimeInterval(7 * 86400)))
        #expect(!PrivacyCenterRules.exportAvailable(completedAt: completed, now: completed.addingTimeInterval(7 * 86400 + 1)))
        #expect(!PrivacyCenterRules.exportAvailable(completedAt: completed, now: completed.addingTimeInterval(-1)))
    }

    @Test("a typed address is trimmed; anything that cannot be one is refused")
    func typedEmail() {
        #expect(PrivacyCenterRules.typedEmail("  Vera@Example.com \n") == "Vera@Example.com")
        for bad in ["", "vera", "@example.com", "vera@", "ve ra@example.com", "vera@exa\u{0}mple.com", String(repeating: "a", count: 250) + "@b.cd"] {
            #expect(PrivacyCenterRules.typedEmail(bad) == nil, "\(bad.debugDescription)")
        }
    }

    @Test("the user agent kept as evidence: control characters dropped, at most 1,000 bytes, cut between characters")
    func userAgent() {
        #expect(PrivacyCenterRules.userAgentEvidence("Mozilla/5.0\u{1}\n (X11)") == "Mozilla/5.0 (X11)")
        let long = PrivacyCenterRules.userAgentEvidence(String(repeating: "ж", count: 600))
        #expect(long?.utf8.count == 1000 && long?.count == 500)
        #expect(PrivacyCenterRules.userAgentEvidence(nil) == nil && PrivacyCenterRules.userAgentEvidence("\u{7F}") == nil)
    }

    @Test("a form's origin: the public URL's origin or the request's host; Origin null needs Sec-Fetch-Site same-origin")
    func sameOrigin() {
        let url = URL(string: "https://privacy.shop.example:443/")
        #expect(SameOrigin.allows(origin: "https://privacy.shop.example", fetchSite: nil, publicURL: url, authority: nil))
        #expect(!SameOrigin.allows(origin: "https://evil.example", fetchSite: "same-origin", publicURL: url, authority: nil))
        #expect(SameOrigin.allows(origin: "http://127.0.0.1:8080", fetchSite: nil, publicURL: nil, authority: "127.0.0.1:8080"))
        #expect(SameOrigin.allows(origin: "http://10.0.0.5:8080", fetchSite: nil, publicURL: url, authority: "10.0.0.5:8080"),
                "a console reached on its internal address, beside a public URL")
        #expect(!SameOrigin.allows(origin: "https://evil.example", fetchSite: nil, publicURL: url, authority: "10.0.0.5:8080"))
        #expect(SameOrigin.allows(origin: "null", fetchSite: "same-origin", publicURL: url, authority: nil))
        #expect(!SameOrigin.allows(origin: nil, fetchSite: "cross-site", publicURL: url, authority: nil))
    }
}
