import CustodianConsole
import Foundation
import HTTPTypes
import Hummingbird
import Mustache

/// The languages of the customers' pages: Russian unless the browser prefers English.
enum PortalLanguage: String, Sendable {
    case ru, en

    static func of(_ request: Request) -> PortalLanguage {
        request.headers[.acceptLanguage]?.lowercased().hasPrefix("en") == true ? .en : .ru
    }
}

/// Renders the customers' pages from the embedded templates (`Assets/*.mustache`) inside `layout.mustache`, escaped
/// by Unicode scalar, with the messages of the page's language as `t`, the shop's name, policy and stylesheet, and the
/// security headers of every page (a CSP without any script).
struct PortalRenderer: Sendable {
    let library: MustacheLibrary
    let catalogues: [String: [String: String]]
    var shop = PortalShop()

    static let embedded: PortalRenderer = {
        MustacheContentTypes.register(ScalarHTMLEscaping(), named: ScalarHTMLEscaping.name)
        var library = MustacheLibrary()
        var catalogues: [String: [String: String]] = [:]
        for (name, text) in embeddedConsoleAssets {
            if name.hasSuffix(".mustache") {
                do {
                    try library.register(text, named: String(name.dropLast(".mustache".count)))
                } catch {
                    fatalError("the portal template \(name) does not parse: \(error)")
                }
            } else if name.hasSuffix(".json") {
                catalogues[String(name.dropLast(".json".count))] = (try? JSONDecoder().decode([String: String].self, from: Data(text.utf8))) ?? [:]
            }
        }
        return PortalRenderer(library: library, catalogues: catalogues)
    }()

    /// The renderer of `shop`'s pages.
    func of(_ shop: PortalShop) -> PortalRenderer {
        var renderer = self
        renderer.shop = shop
        return renderer
    }

    /// A message of `language`'s catalogue; its key when missing (a test keeps the catalogues complete).
    func text(_ key: String, _ language: PortalLanguage) -> String {
        catalogues[language.rawValue]?[key] ?? key
    }

    /// The page `template` in the chrome's language, its own view as `page`.
    func page(_ template: String, title: String, chrome: PortalChrome, page: Any, status: HTTPResponse.Status = .ok) -> Response {
        let messages = catalogues[chrome.language.rawValue] ?? [:]
        let view = PortalPageView(
            t: messages, title: messages[title] ?? title, language: chrome.language.rawValue,
            otherLanguage: chrome.language == .en ? "ru" : "en", otherLanguageName: chrome.language == .en ? "Русский" : "English",
            shopName: shop.name, policyURL: shop.policyURL?.absoluteString, stylesheet: shop.stylesheetURL?.absoluteString,
            csrf: chrome.csrf, signedIn: chrome.signedIn, page: page)
        let html = library.render(view, withTemplate: template) ?? ""
        var headers = Self.securityHeaders(stylesheet: shop.stylesheetURL)
        headers[.contentType] = "text/html; charset=utf-8"
        return Response(status: status, headers: headers, body: ResponseBody(byteBuffer: ByteBuffer(string: html)))
    }

    /// No script at all; styles from this origin and the shop's stylesheet's; forms only back to this origin.
    static func securityHeaders(stylesheet: URL?) -> HTTPFields {
        var styles = "'self'"
        if let stylesheet, let scheme = stylesheet.scheme, let host = stylesheet.host {
            styles += " \(scheme)://\(host)" + (stylesheet.port.map { ":\($0)" } ?? "")
        }
        return [
            .cacheControl: "no-store",
            .contentSecurityPolicy: "default-src 'none'; style-src \(styles); img-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'",
            HTTPField.Name("X-Frame-Options")!: "DENY", HTTPField.Name("Referrer-Policy")!: "no-referrer", .xContentTypeOptions: "nosniff",
        ]
    }
}

/// Who a page is drawn for: its language, and in the privacy center the CSRF token of its forms and whether a session
/// is open.
struct PortalChrome: Sendable {
    let language: PortalLanguage
    var csrf = ""
    var signedIn = false
}

/// What every portal template sees (stored properties: templates read them with `Mirror`).
struct PortalPageView {
    let t: [String: String]
    let title: String
    let language: String
    let otherLanguage: String
    let otherLanguageName: String
    let shopName: String
    let policyURL: String?
    let stylesheet: String?
    let csrf: String
    let signedIn: Bool
    let page: Any
}
