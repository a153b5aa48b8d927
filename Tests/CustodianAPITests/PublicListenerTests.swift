import CustodianAPI
import CustodianCore
import CustodianPortal
import Foundation
import HTTPTypes
import Testing

/// The public listener (`CUSTODIAN_PUBLIC_PORT`) serves only what faces the internet.
@Suite("Public listener")
struct PublicListenerTests {
    @Test("the shop's API, the console and metrics are 404 there; unsubscribe pages, partner callbacks, receipt keys and problem types answer")
    func onlyPublicRoutes() async throws {
        let configuration = APIConfiguration(
            portal: PortalConfiguration(unsubscribeKeys: UnsubscribeKeyring(current: UnsubscribeTests.key)))
        try await TestApp.run(configuration: configuration, listener: .publicOnly(port: 0)) { app in
            let dpo = try await app.key(.dpo)
            for (method, path) in [(HTTPRequest.Method.get, "/v1/subjects"), (.post, "/v1/subjects"), (.get, "/console/login"),
                                   (.get, "/metrics"), (.get, "/v1/jobs"), (.get, "/openapi.yaml")] {
                let response = try await app.request(method, path, key: dpo, json: method == .post ? "{}" : nil)
                #expect(response.status == .notFound, "\(method) \(path): \(response.status)")
            }
            #expect(try await app.request(.get, "/.well-known/consent-receipt-keys").status != .notFound)
            #expect(try await app.request(.get, "/health/live").status == .ok)
            #expect(try await app.request(.get, "/problems/invalid-signature").status == .ok, "the type a partner's callback can get")
            let callback = try await app.request(.post, "/v1/callbacks/erasure", json: "{}")
            #expect(callback.status != .notFound && callback.status.code / 100 == 4, "reaches the handler, which wants a signature")
            let token = UnsubscribeKeyring(current: UnsubscribeTests.key).issue(subjectID: UUID(), purpose: "newsletter")
            let page = try await app.request(.get, "/u/\(token)")
            #expect(page.status == .ok && page.text.contains("<form"))
        }
    }
}
