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

    @Test func languageFollowsAcceptLanguage() {
        #expect(ConsoleLanguage.negotiate(acceptLanguage: "ru-RU,ru;q=0.9,en;q=0.8") == .ru)
        #expect(ConsoleLanguage.negotiate(acceptLanguage: "de-DE,en;q=0.5,ru;q=0.4") == .en)
        #expect(ConsoleLanguage.negotiate(acceptLanguage: "fr") == .en)
        #expect(ConsoleLanguage.negotiate(acceptLanguage: "en;q=0, ru") == .ru)
        #expect(ConsoleLanguage.negotiate(acceptLanguage: nil) == .en)
    }

    @Test func personalDataIsMaskedOnLists() {
        #expect(ConsoleFormat.maskEmail("irina@example.com") == "i***@example.com")
        #expect(ConsoleFormat.maskPhone("+79161234567") == "+7***4567")
        #expect(ConsoleFormat.maskName("Ирина Петрова") == "И***")
    }
}
