import CustodianConsole
import Foundation
import Hummingbird
import Mustache

/// The problem-type catalogue as pages, at the URIs problems name as their `type`: `GET /problems` lists every type,
/// `GET /problems/<type>` explains one (its status, title, what it means and what to do). Plain HTML from this server,
/// no script; on the public listener too, since partners receive `invalid-signature`.
enum ProblemPages {
    static let path = "/problems"

    /// The base of type URIs: under `publicURL` when the server knows it, else this server's path.
    static func typeBase(publicURL: URL?) -> String {
        guard let publicURL else { return path + "/" }
        var base = publicURL.absoluteString
        while base.hasSuffix("/") { base.removeLast() }
        return base + path + "/"
    }

    static func register<Context: RequestContext>(on router: Router<Context>) {
        router.get("problems") { _, _ in html(render("catalogue", CatalogueView(types: ProblemType.allCases.map(TypeView.init)))) }
        router.get("problems/:type") { _, context in
            guard let type = context.parameters.get("type").flatMap(ProblemType.init(rawValue:)) else {
                throw Problem.notFound("problem type")
            }
            return html(render("type", TypeView(type)))
        }
    }

    /// One type as the templates show it.
    struct TypeView {
        let name: String
        let status: Int
        let title: String
        let explanation: String

        init(_ type: ProblemType) {
            name = type.rawValue
            status = type.status.code
            title = type.title
            explanation = type.explanation
        }
    }

    struct CatalogueView {
        let types: [TypeView]
    }

    private static let library: MustacheLibrary = {
        MustacheContentTypes.register(ScalarHTMLEscaping(), named: ScalarHTMLEscaping.name)
        var library = MustacheLibrary()
        do {
            try library.register(layoutStart + """
                <h1>Problem types</h1>
                <p>Every error of the Custodian API is an RFC 9457 problem (<code>application/problem+json</code>) whose
                <code>type</code> is one of these pages. Match on the type; the <code>detail</code> says what happened
                this time, and a validation failure lists each invalid member in <code>errors</code>.</p>
                <table><thead><tr><th>Type</th><th>Status</th><th>Title</th></tr></thead><tbody>
                {{#types}}<tr><td><a href="/problems/{{name}}">{{name}}</a></td><td>{{status}}</td><td>{{title}}</td></tr>
                {{/types}}</tbody></table>
                """ + layoutEnd, named: "catalogue")
            try library.register(layoutStart + """
                <p><a href="/problems">All problem types</a></p>
                <h1>{{title}}</h1>
                <p><code>{{name}}</code> · HTTP {{status}}</p>
                <p>{{explanation}}</p>
                """ + layoutEnd, named: "type")
        } catch {
            fatalError("a problem page template does not parse: \(error)")
        }
        return library
    }()

    private static let layoutStart = """
        {{% CONTENT_TYPE: SAFE_HTML}}<!DOCTYPE html>
        <html lang="en"><head><meta charset="utf-8"><title>Custodian API problem types</title></head><body>

        """
    private static let layoutEnd = "\n</body></html>\n"

    private static func render(_ template: String, _ view: Any) -> String {
        library.render(view, withTemplate: template) ?? ""
    }

    private static func html(_ text: String) -> Response {
        Response(
            status: .ok,
            headers: [
                .contentType: "text/html; charset=utf-8", .cacheControl: "public, max-age=3600",
                .contentSecurityPolicy: "default-src 'none'; frame-ancestors 'none'; base-uri 'none'", .xContentTypeOptions: "nosniff",
            ],
            body: ResponseBody(byteBuffer: ByteBuffer(string: text)))
    }
}
