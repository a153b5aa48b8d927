import CustodianCore
import Testing

/// The worker's public URL: required, http(s), and not loopback outside a development run.
@Suite struct PublicBaseURLTests {
    @Test func requiredAndHTTP() throws {
        for raw in [nil, "", "ftp://shop.example", "not a url", "https://"] as [String?] {
            #expect(throws: PublicBaseURL.Refusal.self, "\(String(describing: raw))") { try PublicBaseURL.parse(raw, allowLoopback: true) }
        }
        #expect(try PublicBaseURL.parse("https://privacy.shop.example/", allowLoopback: false) == "https://privacy.shop.example")
    }

    @Test("loopback only in development", arguments: ["http://127.0.0.1:8080", "http://localhost:8080", "http://api.localhost", "http://[::1]:8080", "http://127.1.2.3"])
    func loopback(raw: String) throws {
        #expect(throws: PublicBaseURL.Refusal.self) { try PublicBaseURL.parse(raw, allowLoopback: false) }
        #expect(try PublicBaseURL.parse(raw, allowLoopback: true) == raw)
    }

    @Test func otherHostsPass() throws {
        #expect(try PublicBaseURL.parse("http://api:8080", allowLoopback: false) == "http://api:8080")
        #expect(try PublicBaseURL.parse("http://127example.com", allowLoopback: false) == "http://127example.com")
    }
}
