import Foundation
import Hummingbird
import Mustache

/// Renders the console's pages from the embedded Mustache templates (`Assets/*.mustache`), every page inside
/// `layout.mustache`. `{{x}}` escapes (by Unicode scalar: ``ScalarHTMLEscaping``); the templates never use the
/// unescaped forms.
struct ConsoleRenderer: Sendable {
    let library: MustacheLibrary
    let catalogue: MessageCatalogue

    /// The embedded templates and catalogues.
    static let embedded: ConsoleRenderer = {
        MustacheContentTypes.register(ScalarHTMLEscaping(), named: ScalarHTMLEscaping.name)
        var library = MustacheLibrary()
        for (name, text) in embeddedConsoleAssets where name.hasSuffix(".mustache") {
            do {
                try library.register(text, named: String(name.dropLast(".mustache".count)))
            } catch {
                fatalError("the console template \(name) does not parse: \(error)")
            }
        }
        return ConsoleRenderer(library: library, catalogue: .embedded)
    }()

    /// A page: `template` rendered with the chrome (user, language, navigation), the catalogue as `t`, and the
    /// page's own view as `page`.
    func page(_ template: String, title: String, chrome: PageChrome, page: Any, status: HTTPResponse.Status = .ok) -> Response {
        Self.html(render(template, title: title, chrome: chrome, page: page), status: status)
    }

    /// The page's HTML.
    func render(_ template: String, title: String, chrome: PageChrome, page: Any) -> String {
        let view = PageView(t: catalogue[chrome.language], title: catalogue.text(title, chrome.language), chrome: chrome, page: page)
        return library.render(view, withTemplate: template) ?? ""
    }

    static func html(_ html: String, status: HTTPResponse.Status = .ok) -> Response {
        Response(
            status: status, headers: [.contentType: "text/html; charset=utf-8", .cacheControl: "no-store"],
            body: ResponseBody(byteBuffer: ByteBuffer(string: html)))
    }
}

/// What every page template sees.
struct PageView {
    /// The catalogue of the page's language.
    let t: [String: String]
    let title: String
    let chrome: PageChrome
    let page: Any
}

/// The frame around every page: who is logged in, the language, the CSRF token of the session's forms.
struct PageChrome: Sendable {
    let language: ConsoleLanguage
    /// The logged-in user's e-mail; nil on the login and enrolment pages.
    let user: String?
    let role: String?
    let canAct: Bool
    let csrf: String
    /// The path of this page, for the language switch to come back to.
    let path: String
    // Stored, not computed: templates see stored properties only (they are read with `Mirror`).
    let lang: String
    let otherLanguage: String
    let otherLanguageName: String
    let loggedIn: Bool

    init(language: ConsoleLanguage, user: String?, role: String?, canAct: Bool, csrf: String, path: String) {
        self.language = language
        self.user = user
        self.role = role
        self.canAct = canAct
        self.csrf = csrf
        self.path = path
        lang = language.rawValue
        otherLanguage = language == .en ? "ru" : "en"
        otherLanguageName = language == .en ? "Русский" : "English"
        loggedIn = user != nil
    }

    static func anonymous(_ language: ConsoleLanguage, path: String) -> PageChrome {
        PageChrome(language: language, user: nil, role: nil, canAct: false, csrf: "", path: path)
    }
}
