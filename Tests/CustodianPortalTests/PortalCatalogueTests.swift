import CustodianCore
@testable import CustodianPortal
import Foundation
import Testing

/// The customers' pages speak Russian and English alike: every message a template or a page names exists in both.
@Suite struct PortalCatalogueTests {
    let renderer = PortalRenderer.embedded

    @Test func bothLanguagesHaveTheSameMessages() {
        #expect(Set(renderer.catalogues["en"]?.keys ?? [:].keys) == Set(renderer.catalogues["ru"]?.keys ?? [:].keys))
        #expect((renderer.catalogues["ru"]?.count ?? 0) > 90)
    }

    @Test func everyMessageATemplateNamesExists() throws {
        let pattern = try Regex(#"\{\{[#^/]?t\.([a-z0-9_]+)\}\}"#)
        var missing: [String] = []
        for (name, text) in embeddedConsoleAssets where name.hasSuffix(".mustache") {
            for match in text.matches(of: pattern) {
                let key = String(text[match.range].dropFirst(2).dropLast(2).drop { "#^/".contains($0) }.dropFirst(2))
                if renderer.catalogues["ru"]?[key] == nil { missing.append("\(name): \(key)") }
            }
        }
        #expect(missing.isEmpty, "\(missing)")
    }

    @Test("every kind, status, ground, basis, failure and refusal the pages name has its words")
    func everyMessageThePagesNameExists() {
        var keys = SubjectRequestKind.allCases.flatMap { ["kind_\($0.rawValue)", "kind_help_\($0.rawValue)"] }
        keys += SubjectRequestStatus.allCases.map { "status_\($0.rawValue)" }
        keys += RequestGround.allCases.map { "ground_\($0.rawValue)" }
        keys += LegalBasis.allCases.map { "basis_\($0.rawValue)" }
        keys += [PortalFailure.signInRequired, .forgedForm, .tooMany(retryAfter: 1), .notFound, .gone, .unavailable].map(\.messageKey)
        keys += ["kind", "ground", "corrections", "corrections.full_name", "corrections.email", "corrections.phone",
                 "corrections.registration_address", "text", "purposes"].map(PrivacyAccountPages.messageKey(field:))
        keys += ["subject", "orders", "consent_state", "consent_history", "transfers", "subject_requests", "purposes", "export"].map { "export_section_" + $0 }
        keys += ["privacy_bad_request", "privacy_internal", "privacy_request_invalid", "privacy_export_not_ready", "privacy_erased",
                 "privacy_code_refused", "privacy_busy", "privacy_no_policy", "privacy_consent_blocked", "privacy_consent_refused"]
        keys += ["consent_never", "consent_granted", "consent_withdrawn"]
        for language in ["ru", "en"] {
            let missing = keys.filter { renderer.catalogues[language]?[$0] == nil }
            #expect(missing.isEmpty, "\(language): \(missing)")
        }
    }

    @Test func templatesNeverRenderUnescapedAndEscapeByScalar() {
        for (name, text) in embeddedConsoleAssets where name.hasSuffix(".mustache") {
            #expect(!text.contains("{{{") && !text.contains("{{&"), "\(name) renders something unescaped")
            #expect(text.hasPrefix("{{% CONTENT_TYPE: SAFE_HTML}}"), "\(name) does not declare the scalar escaping")
        }
    }

    @Test("no page carries a script, and the CSP allows none; the shop's stylesheet origin alone is added")
    func noScript() {
        for (name, text) in embeddedConsoleAssets where name.hasSuffix(".mustache") {
            #expect(!text.lowercased().contains("<script") && !text.contains(" on"), "\(name) has script")
        }
        let plain = PortalRenderer.securityHeaders(stylesheet: nil)[.contentSecurityPolicy] ?? ""
        #expect(plain.hasPrefix("default-src 'none'; style-src 'self';") && !plain.contains("script-src"))
        let styled = PortalRenderer.securityHeaders(stylesheet: URL(string: "https://cdn.shop.example:8443/look.css"))[.contentSecurityPolicy] ?? ""
        #expect(styled.contains("style-src 'self' https://cdn.shop.example:8443;"))
    }
}
