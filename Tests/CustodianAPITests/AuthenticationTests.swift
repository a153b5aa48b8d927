@testable import CustodianAPI
import CustodianCore
import CustodianStore
import Foundation
import HTTPTypes
import NIOCore
import Testing

@Suite("Authentication and scopes")
struct AuthenticationTests {
    @Test("a missing, malformed or unknown key gets 401 problem+json with WWW-Authenticate")
    func unauthenticated() async throws {
        try await TestApp.run { app in
            let unknown = APIKeySecret.generate().token
            let cases: [(String, HTTPFields)] = [
                ("missing", [:]),
                ("basic scheme", [.authorization: "Basic dXNlcjpwYXNz"]),
                ("not a key", [.authorization: "Bearer nonsense"]),
                ("empty bearer", [.authorization: "Bearer "]),
                ("unknown key", [.authorization: "Bearer \(unknown)"]),
                ("no blank after the scheme", [.authorization: "Bearer\(unknown)"]),
                ("another scheme spelled alike", [.authorization: "Bearers \(unknown)"]),
            ]
            for (name, headers) in cases {
                let response = try await app.request(.get, "/v1/subjects?external_ref=x", headers: headers)
                #expect(response.status == .unauthorized, "\(name)")
                #expect(response.headers[.contentType] == "application/problem+json", "\(name)")
                #expect(response.headers[.wwwAuthenticate] == "Bearer", "\(name)")
                let problem = try response.jsonObject()
                #expect(problem["status"] as? Int == 401, "\(name)")
                #expect(!(response.text.contains(unknown)), "\(name): the key is echoed")
            }
        }
    }

    @Test("a shop key may use subjects but gets 403 on dpo-only operations; a dpo key may do both")
    func scopes() async throws {
        try await TestApp.run { app in
            let shop = try await app.key(.shop)
            let dpo = try await app.key(.dpo)
            let subject = try await app.createSubject(key: shop, externalRef: "c-1")
            let id = try #require(subject["id"] as? String)
            #expect(try await app.request(.get, "/v1/subjects/\(id)", key: shop).status == .ok)
            let forbidden = try await app.request(.get, "/v1/audit?subject_id=\(id)", key: shop)
            #expect(forbidden.status == .forbidden)
            #expect(forbidden.headers[.contentType] == "application/problem+json")
            #expect(try await app.request(.get, "/v1/audit?subject_id=\(id)", key: dpo).status == .ok)
            #expect(try await app.request(.get, "/v1/subjects/\(id)", key: dpo).status == .ok)
        }
    }

    @Test("the Bearer scheme is read in any case, with blanks around the key")
    func schemeSpelling() async throws {
        try await TestApp.run { app in
            let key = try await app.key(.shop)
            for header in ["Bearer \(key)", "bearer \(key)", "BEARER \(key)", "Bearer   \(key) \t"] {
                let status = try await app.request(.get, "/v1/subjects?external_ref=x", headers: [.authorization: header]).status
                #expect(status == .ok, "\(header.prefix(9))")
            }
            let status = try await app.request(.get, "/v1/subjects?external_ref=x", headers: [.authorization: "Bearer \(key)x"]).status
            #expect(status == .unauthorized)
        }
    }

    @Test("the key is read from exactly `Bearer <key>`: any case of the scheme, blanks around the key, nothing else")
    func bearerKeyShapes() throws {
        let key = APIKeySecret.generate().token
        for header in ["Bearer \(key)", "bEaReR \(key)", "Bearer \t \(key)\t ", "bearer \(key) "] {
            #expect(AuthenticationMiddleware.bearerKey(header)?.token == key, "\(header.prefix(10))")
        }
        for header in ["Bearer", "Bearer ", "Bearer  \t ", "Bearer\t\(key)", "Bearerx\(key)", "Bearér \(key)", "Bearer \(key)é",
                       "Bearer é\(key)", "Bearer \(key) x", "Basic \(key)", "\(key)", " Bearer \(key)"] {
            #expect(AuthenticationMiddleware.bearerKey(header) == nil, "\(header.prefix(10))")
        }
    }

    @Test("a revoked key stops working within a second")
    func revoked() async throws {
        try await TestApp.run { app in
            let keys = APIKeyRepository(database: app.database)
            let (stored, secret) = try await keys.create(name: "to-revoke", scope: .dpo)
            #expect(try await app.request(.get, "/v1/subjects?external_ref=x", key: secret.token).status == .ok)
            #expect(try await app.request(.get, "/v1/subjects?external_ref=x", key: secret.token).status == .ok)
            let revokedAt = ContinuousClock.now
            #expect(try await keys.revoke(id: stored.id))
            var status = try await app.request(.get, "/v1/subjects?external_ref=x", key: secret.token).status
            while status == .ok, ContinuousClock.now - revokedAt < .seconds(5) {
                try await Task.sleep(for: .milliseconds(5))
                status = try await app.request(.get, "/v1/subjects?external_ref=x", key: secret.token).status
            }
            #expect(status == .unauthorized)
            #expect(ContinuousClock.now - revokedAt < .seconds(1))
            #expect(try await keys.revoke(id: stored.id) == false)
        }
    }

    @Test("keys are stored only as SHA-256 hashes")
    func hashedAtRest() async throws {
        try await TestApp.run { app in
            let (_, secret) = try await APIKeyRepository(database: app.database).create(name: "hashed", scope: .shop)
            let rows = try await app.database.query("SELECT lookup_id, secret_hash FROM api_keys").collect()
            let (lookupID, hash) = try #require(rows.first).decode((String, ByteBuffer).self)
            #expect(lookupID == secret.lookupID)
            #expect(Array(buffer: hash) == secret.hash)
            let dump = try await app.database.query("SELECT row_to_json(api_keys)::text FROM api_keys").collect()
                .map { try $0.decode(String.self) }.joined()
            #expect(!dump.contains(secret.token))
        }
    }

    @Test("health and the spec need no key")
    func publicOperations() async throws {
        try await TestApp.run { app in
            for path in ["/health/live", "/health/ready", "/openapi.yaml"] {
                let status = try await app.request(.get, path).status
                #expect(status == .ok, "\(path)")
            }
        }
    }
}
