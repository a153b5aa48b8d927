import CustodianCore
import Foundation
import Testing

@Suite("Standard Webhooks signatures")
struct StandardWebhooksTests {
    @Test("the reference test vector signs and verifies")
    func testVector() throws {
        let secret = try #require(StandardWebhooksSecret("whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"))
        let body = Data(#"{"test": 2432232314}"#.utf8)
        let signature = secret.signature(id: "msg_p5jXN8AQM9LWM0D4loKWxJek", timestamp: 1_614_265_330, body: body)
        #expect(signature == "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=")
        let then = Date(timeIntervalSince1970: 1_614_265_330)
        try secret.verify(id: "msg_p5jXN8AQM9LWM0D4loKWxJek", timestamp: "1614265330", signatures: "v1,bogus= \(signature)", body: body, now: then)
    }

    @Test("a changed body, an old timestamp or another secret is rejected")
    func rejections() {
        let secret = StandardWebhooksSecret.generate()
        let body = Data("{}".utf8)
        let now = Date()
        let stamp = Int64(now.timeIntervalSince1970)
        let signature = secret.signature(id: "msg_1", timestamp: stamp, body: body)
        #expect(throws: StandardWebhooksSecret.Rejection.signatureMismatch) {
            try secret.verify(id: "msg_1", timestamp: "\(stamp)", signatures: signature, body: Data("{ }".utf8), now: now)
        }
        #expect(throws: StandardWebhooksSecret.Rejection.timestampOutOfTolerance) {
            try secret.verify(id: "msg_1", timestamp: "\(stamp - 301)", signatures: secret.signature(id: "msg_1", timestamp: stamp - 301, body: body), body: body, now: now)
        }
        #expect(throws: StandardWebhooksSecret.Rejection.signatureMismatch) {
            try StandardWebhooksSecret.generate().verify(id: "msg_1", timestamp: "\(stamp)", signatures: signature, body: body, now: now)
        }
        #expect(throws: StandardWebhooksSecret.Rejection.malformedHeaders) {
            try secret.verify(id: "msg_1", timestamp: "yesterday", signatures: signature, body: body, now: now)
        }
        #expect(StandardWebhooksSecret("whsec_short") == nil)
        #expect(StandardWebhooksSecret("secret") == nil)
        #expect(StandardWebhooksSecret.generate() != StandardWebhooksSecret.generate())
    }
}

@Suite("Outbound address policy (SSRF)")
struct OutboundAddressPolicyTests {
    let policy = OutboundAddressPolicy(allowedHosts: ["127.0.0.1"])

    @Test("public https URLs are accepted and normalised; allow-listed hosts may use http")
    func accepted() throws {
        #expect(try policy.validateBaseURL("https://api.courier.example/v2/").get() == "https://api.courier.example/v2")
        #expect(try policy.validateBaseURL("https://203.0.113.9").get() == "https://203.0.113.9")
        #expect(try policy.validateBaseURL("http://127.0.0.1:9000").get() == "http://127.0.0.1:9000")
    }

    @Test("plain http, credentials and internal addresses are refused", arguments: [
        "http://api.courier.example", "https://user:pw@api.example", "https://10.1.2.3", "https://172.20.0.1", "https://192.168.1.1",
        "https://127.0.0.2", "https://169.254.169.254/latest/meta-data", "https://[::1]", "https://[fd00::1]", "https://[fe80::1]",
        "https://[::ffff:10.0.0.1]", "https://0.0.0.0", "https://100.64.0.1", "https://localhost", "https://metadata.google.internal",
        "ftp://files.example", "not a url", "https://api.example/?q=1",
    ])
    func refused(url: String) {
        guard case .failure = policy.validateBaseURL(url) else {
            Issue.record("accepted \(url)")
            return
        }
    }
}
