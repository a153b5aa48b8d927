import CustodianCore
import CustodianStore
import CustodianTestSupport
import HTTPTypes
import Testing

/// OWASP API2 (broken authentication): whatever key a client presents, valid or not, no log line holds it.
@Suite("Keys and personal data never reach the logs")
struct KeyLoggingTests {
    @Test("valid, unknown, malformed and revoked keys, and the subject's data, are absent from every log line at trace level")
    func keysNotLogged() async throws {
        let logs = CapturedLogs()
        try await TestApp.run(configuration: ValidRequests.configuration, logger: logs.logger(level: .trace)) { app in
            let keys = APIKeyRepository(database: app.database)
            let (_, dpo) = try await keys.create(name: "dpo", scope: .dpo)
            let (_, shop) = try await keys.create(name: "shop", scope: .shop)
            let (revokedKey, revoked) = try await keys.create(name: "revoked", scope: .dpo)
            #expect(try await keys.revoke(id: revokedKey.id))
            let unknown = APIKeySecret.generate()
            let malformed = "cus_0123456789abcdef_tooShortToBeAKey"

            let subject = try await app.request(.post, "/v1/subjects", key: shop.token, json: """
                {"external_ref":"log-1","full_name":"Ларисa Логова","email":"larisa.logova@example.com","phone":"+79161234599"}
                """)
            #expect(subject.status == .created)
            let id = try #require(try subject.jsonObject()["id"] as? String)
            let attempts: [(key: String, method: HTTPRequest.Method, path: String, expected: HTTPResponse.Status)] = [
                (dpo.token, .get, "/v1/subjects/\(id)", .ok),
                (dpo.token, .get, "/v1/subjects?email=larisa.logova@example.com&phone=%2B79161234599", .ok),
                (shop.token, .get, "/v1/audit?subject_id=\(id)", .forbidden),
                (revoked.token, .get, "/v1/subjects/\(id)", .unauthorized),
                (unknown.token, .get, "/v1/subjects/\(id)", .unauthorized),
                (malformed, .get, "/v1/subjects/\(id)", .unauthorized),
            ]
            for attempt in attempts {
                #expect(try await app.request(attempt.method, attempt.path, key: attempt.key).status == attempt.expected, "\(attempt.path)")
            }
            #expect(try await app.request(.get, "/v1/subjects/\(id)", headers: [.authorization: "Basic \(dpo.token)"]).status == .unauthorized)
            let text = logs.text
            #expect(logs.count >= 8, "the API logged too little for this test to mean anything")
            // Booleans first, so a failure does not print the logs (and what leaked) into the test output.
            for token in [dpo.token, shop.token, revoked.token, unknown.token, malformed] {
                let leaked = text.contains(token.suffix(20))
                #expect(!leaked, "a log line holds a key")
            }
            for value in ["larisa.logova", "Логова", "9161234599"] {
                let leaked = text.contains(value)
                #expect(!leaked, "a log line holds \(value)")
            }
        }
    }
}
