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

    @Test("rate limits count an IPv6 client by its /64, any other address as it is")
    func limitKeys() {
        #expect(ClientAddress.limitKey("2001:db8:1:2:aaaa::1") == ClientAddress.limitKey("2001:db8:1:2:ffff:1:2:3"))
        #expect(ClientAddress.limitKey("2001:db8:1:2::1") != ClientAddress.limitKey("2001:db8:1:3::1"))
        #expect(ClientAddress.limitKey("203.0.113.7") == "203.0.113.7" && ClientAddress.limitKey("::ffff:203.0.113.7") == "::ffff:203.0.113.7")
        #expect(ClientAddress.limitKey("unknown") == "unknown")
    }

    @Test("a bucket is full again once it has refilled, not before")
    func bucketRefills() {
        var bucket = TokenBucket(capacity: 2, perMinute: 60, now: 0)
        #expect(bucket.isFull(now: 0))
        _ = bucket.take(now: 0)
        #expect(!bucket.isFull(now: 0.5) && bucket.isFull(now: 1))
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
