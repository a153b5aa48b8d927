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
/// by Unicode scalar, with the messages of the page's language as `t`, and the security headers of every page.
struct PortalRenderer: Sendable {
    let library: MustacheLibrary
    let catalogues: [String: [String: String]]

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

    /// The page `template` in `language`, its own view as `page`.
    func page(_ template: String, title: String, language: PortalLanguage, page: Any, status: HTTPResponse.Status = .ok) -> Response {
        let messages = catalogues[language.rawValue] ?? [:]
        let view = PortalPageView(t: messages, title: messages[title] ?? title, language: language.rawValue, page: page)
        let html = library.render(view, withTemplate: template) ?? ""
        return Response(
            status: status,
            headers: [
                .contentType: "text/html; charset=utf-8", .cacheControl: "no-store",
                .contentSecurityPolicy: "default-src 'self'; form-action 'self'; frame-ancestors 'none'",
                HTTPField.Name("X-Frame-Options")!: "DENY", HTTPField.Name("Referrer-Policy")!: "no-referrer", .xContentTypeOptions: "nosniff",
            ],
            body: ResponseBody(byteBuffer: ByteBuffer(string: html)))
    }
}

/// What every portal template sees.
struct PortalPageView {
    let t: [String: String]
    let title: String
    let language: String
    let page: Any
}
