import CustodianCore
@testable import CustodianConsole
import Foundation
import Testing

/// The console's words and templates travel in the binary and agree with each other.
@Suite struct CatalogueTests {
    @Test func bothLanguagesHaveTheSameMessages() {
        let catalogue = MessageCatalogue.embedded
        #expect(Set(catalogue[.en].keys) == Set(catalogue[.ru].keys))
        #expect(catalogue[.en].count > 100)
    }

    @Test func everyMessageATemplateNamesExists() throws {
        let catalogue = MessageCatalogue.embedded
        let pattern = try Regex(#"\{\{[#^/]?t\.([a-z0-9_]+)\}\}"#)
        var missing: [String] = []
        for (name, text) in embeddedConsoleAssets where name.hasSuffix(".mustache") {
            for match in text.matches(of: pattern) {
                let key = String(text[match.range].dropFirst(2).dropLast(2).drop { "#^/".contains($0) }.dropFirst(2))
                if catalogue[.en][key] == nil { missing.append("\(name): \(key)") }
            }
        }
        #expect(missing.isEmpty, "\(missing)")
    }

    @Test func templatesNeverRenderUnescaped() {
        for (name, text) in embeddedConsoleAssets where name.hasSuffix(".mustache") {
            #expect(!text.contains("{{{") && !text.contains("{{&"), "\(name) renders something unescaped")
        }
    }

    @Test func everyTemplateEscapesByUnicodeScalar() {
        for (name, text) in embeddedConsoleAssets where name.hasSuffix(".mustache") {
            #expect(text.hasPrefix("{{% CONTENT_TYPE: SAFE_HTML}}"), "\(name) does not declare the scalar escaping")
        }
    }

    /// swift-mustache's own escaping compares grapheme clusters: a `<` after U+0600, or a `"` before U+0301, is one
    /// `Character` with its neighbour and passed through raw.
    @Test func markupFusedIntoGraphemeClustersIsEscaped() {
        let hostile = "\u{0600}<b>fused\u{0600}</b> \"\u{0301} onfocus=x '\u{0301}"
        let html = Array(ConsoleRenderer.embedded.render(
            "error", title: "error_title", chrome: .anonymous(.en, path: "/console/inbox"), page: ErrorView(status: 400, message: hostile)).utf8)
        let escaped = Array("\u{0600}&lt;b&gt;fused\u{0600}&lt;/b&gt; &quot;\u{0301} onfocus=x &#39;\u{0301}".utf8)
        // Compared as bytes: String comparison would group the fused characters again.
        #expect((0...(html.count - escaped.count)).contains { html[$0..<($0 + escaped.count)].elementsEqual(escaped) })
    }

    @Test func languageFollowsAcceptLanguage() {
        #expect(ConsoleLanguage.negotiate(acceptLanguage: "ru-RU,ru;q=0.9,en;q=0.8") == .ru)
        #expect(ConsoleLanguage.negotiate(acceptLanguage: "de-DE,en;q=0.5,ru;q=0.4") == .en)
        #expect(ConsoleLanguage.negotiate(acceptLanguage: "fr") == .en)
        #expect(ConsoleLanguage.negotiate(acceptLanguage: "en;q=0, ru") == .ru)
        #expect(ConsoleLanguage.negotiate(acceptLanguage: nil) == .en)
    }

    @Test func failedLoginsCountTheClientBehindATrustedProxyOnly() {
        let proxy: Set<String> = ["10.0.0.5"]
        #expect(ClientAddress.resolve(peer: "10.0.0.5", forwardedFor: ["198.51.100.7, 203.0.113.9"], trustedProxies: proxy) == "203.0.113.9")
        #expect(ClientAddress.resolve(peer: "192.0.2.1", forwardedFor: ["203.0.113.9"], trustedProxies: proxy) == "192.0.2.1")
        #expect(ClientAddress.resolve(peer: "10.0.0.5", forwardedFor: [], trustedProxies: proxy) == "10.0.0.5")
        #expect(ClientAddress.resolve(peer: nil, forwardedFor: ["203.0.113.9"], trustedProxies: proxy) == "unknown")
    }

    @Test func theLanguageSwitchReturnsOnlyToPlainConsolePaths() {
        #expect(ConsoleRequest.isConsolePath("/console/requests/0b7c1e2a-1111-4c3b-9a55-2f0e7a1c9d10"))
        #expect(!ConsoleRequest.isConsolePath("/console/../v1/subjects"))
        #expect(!ConsoleRequest.isConsolePath("//evil.example/console/inbox"))
        #expect(!ConsoleRequest.isConsolePath("/console/inbox?x=1"))
        #expect(!ConsoleRequest.isConsolePath("/console//inbox"))
    }

    @Test func personalDataIsMaskedOnLists() {
        #expect(ConsoleFormat.maskEmail("irina@example.com") == "i***@example.com")
        #expect(ConsoleFormat.maskPhone("+79161234567") == "+7***4567")
        #expect(ConsoleFormat.maskName("Ирина Петрова") == "И***")
    }
}
