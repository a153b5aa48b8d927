@testable import CustodianAPI
import CustodianConsole
import CustodianPortal
import Foundation
import HTTPTypes
import Testing

@Suite("The problem-type catalogue")
struct ProblemCatalogueTests {
    @Test("every type has its page on this server, the catalogue lists them all, an unknown one is a 404 problem")
    func pages() async throws {
        try await TestApp.run { app in
            let catalogue = try await app.request(.get, "/problems")
            #expect(catalogue.status == .ok && catalogue.headers[.contentType] == "text/html; charset=utf-8")
            #expect(catalogue.headers[.contentSecurityPolicy]?.hasPrefix("default-src 'none'") == true)
            for type in ProblemType.allCases {
                #expect(catalogue.text.contains("href=\"/problems/\(type.rawValue)\""), "\(type)")
                let page = try await app.request(.get, "/problems/\(type.rawValue)")
                #expect(page.status == .ok, "\(type)")
                #expect(page.text.contains("HTTP \(type.status.code)") && page.text.contains("<code>\(type.rawValue)</code>"), "\(type)")
            }
            let unknown = try await app.request(.get, "/problems/no-such-type")
            #expect(unknown.status == .notFound && unknown.headers[.contentType] == "application/problem+json")
        }
    }

    @Test("a problem's type is its page on this server, or under CUSTODIAN_PUBLIC_URL when that is set; its instance names the request")
    func typeURIs() async throws {
        try await TestApp.run { app in
            let refused = try await app.request(.get, "/v1/subjects")
            #expect(try refused.jsonObject()["type"] as? String == "/problems/unauthorized")
            #expect(try refused.jsonObject()["title"] as? String == ProblemType.unauthorized.title)
            // The occurrence: the request, by the id its response and the logs carry.
            let requestID = try #require(refused.headers[HTTPField.Name("X-Request-Id")!])
            #expect(try refused.jsonObject()["instance"] as? String == "urn:custodian:request:\(requestID)")
        }
        // The public URL (the customers' pages), not the console's: the problem pages are served on the public listener too.
        let configuration = APIConfiguration(
            console: ConsoleConfiguration(publicURL: URL(string: "https://console.internal.example/")!),
            portal: PortalConfiguration(publicURL: URL(string: "https://privacy.shop.example/")!))
        try await TestApp.run(configuration: configuration) { app in
            let refused = try await app.request(.get, "/v1/subjects")
            #expect(try refused.jsonObject()["type"] as? String == "https://privacy.shop.example/problems/unauthorized")
        }
    }

    @Test("the spec's Problem.type lists every type of the catalogue")
    func specListsEveryType() throws {
        let spec = try OpenAPISpec.load()
        let schemas = try #require((spec.document["components"] as? [String: Any])?["schemas"] as? [String: Any])
        let problem = try #require(schemas["Problem"].flatMap { spec.resolve($0) })
        let type = try #require((problem["properties"] as? [String: Any])?["type"] as? [String: Any])
        let description = try #require(type["description"] as? String)
        for type in ProblemType.allCases {
            #expect(description.contains("`\(type.rawValue)`"), "\(type.rawValue)")
        }
    }
}
