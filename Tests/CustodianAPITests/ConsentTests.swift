import CustodianStore
import Foundation
import HTTPTypes
import HummingbirdTesting
import PostgresNIO
import Testing

@Suite("Consents")
struct ConsentTests {
    /// A subject, a dpo-registered policy version `v1` effective a day ago, and a shop key.
    struct Fixture {
        let app: TestApp
        let shop: String
        let dpo: String
        let subjectID: String

        init(_ app: TestApp) async throws {
            self.app = app
            shop = try await app.key(.shop)
            dpo = try await app.key(.dpo)
            let created = try await app.request(.post, "/v1/policy-versions", key: dpo, json: """
                {"label":"v1","url":"https://shop.example/privacy/v1","text_sha256":"\(String(repeating: "a", count: 64))",
                 "effective_at":"\(Date().addingTimeInterval(-86400).formatted(.iso8601))"}
                """)
            guard created.status == .created else { throw TestFailure("policy version: \(created.status)") }
            subjectID = try #require(try await app.createSubject(key: shop, externalRef: "consent-1", email: "c@example.com")["id"] as? String)
        }

        @discardableResult
        func event(_ purpose: String, _ action: String, occurredAt: Date? = nil, policy: String = "v1", evidence: String? = nil) async throws -> TestResponse {
            var fields = [#""purpose":"\#(purpose)""#, #""action":"\#(action)""#, #""policy_version":"\#(policy)""#, #""channel":"web_form""#]
            if let occurredAt { fields.append(#""occurred_at":"\#(occurredAt.formatted(.iso8601))""#) }
            if let evidence { fields.append(#""evidence":\#(evidence)"#) }
            return try await app.request(.post, "/v1/subjects/\(subjectID)/consents", key: shop, json: "{\(fields.joined(separator: ","))}")
        }

        func overview() async throws -> [String: Any] {
            try await app.request(.get, "/v1/subjects/\(subjectID)/consents", key: shop).jsonObject()
        }

        func state(of purpose: String) async throws -> [String: Any]? {
            let current = try #require(try await overview()["current"] as? [[String: Any]])
            return current.first { $0["purpose"] as? String == purpose }
        }
    }

    @Test("the catalogue is seeded with the purposes shops state, each with its legal basis")
    func catalogue() async throws {
        try await TestApp.run { app in
            let key = try await app.key(.shop)
            let items = try #require(try await app.request(.get, "/v1/purposes", key: key).jsonObject()["items"] as? [[String: Any]])
            let bases = Dictionary(uniqueKeysWithValues: items.compactMap { item in
                (item["code"] as? String).map { ($0, item["legal_basis"] as? String ?? "") }
            })
            #expect(bases == [
                "account": "contract", "order_fulfilment": "contract", "delivery": "contract", "newsletter": "consent",
                "personalised_offers": "consent", "advertising": "consent", "analytics": "consent",
                "cross_border_transfer": "consent", "support": "legitimate_interest", "subject_rights": "legal_obligation",
            ])
            let delivery = try #require(items.first { $0["code"] as? String == "delivery" })
            #expect(delivery["recipient_kinds"] as? [String] == ["courier"])
        }
    }

    @Test("a grant then a withdrawal: state, full history newest first, truncated IP, audit rows")
    func grantAndWithdraw() async throws {
        try await TestApp.run { app in
            let fixture = try await Fixture(app)
            let granted = try await fixture.event("newsletter", "grant", occurredAt: Date().addingTimeInterval(-60),
                evidence: #"{"ip_address":"203.0.113.195","user_agent":"Mozilla/5.0","form_id":"signup"}"#)
            #expect(granted.status == .created)
            let grantEvent = try granted.jsonObject()
            #expect((grantEvent["evidence"] as? [String: Any])?["ip_address"] as? String == "203.0.113.0")
            #expect(try await fixture.state(of: "newsletter")?["state"] as? String == "granted")
            #expect(try await fixture.state(of: "analytics")?["state"] as? String == "never_asked")

            let withdrawn = try await fixture.event("newsletter", "withdraw", evidence: #"{"ip_address":"2001:db8:85a3:8d3:1319:8a2e:370:7348"}"#)
            #expect(withdrawn.status == .created)
            #expect((try withdrawn.jsonObject()["evidence"] as? [String: Any])?["ip_address"] as? String == "2001:db8:85a3::")
            let state = try #require(try await fixture.state(of: "newsletter"))
            #expect(state["state"] as? String == "withdrawn")
            #expect(state["event_id"] as? String == (try withdrawn.jsonObject()["id"] as? String))
            let history = try #require(try await fixture.overview()["history"] as? [[String: Any]])
            #expect(history.compactMap { $0["action"] as? String } == ["withdraw", "grant"])

            let stored = try await app.database.query("SELECT host(ip_address) FROM consent_events ORDER BY recorded_at").collect()
                .map { try $0.decode(String.self) }
            #expect(stored == ["203.0.113.0", "2001:db8:85a3::"])
            let actions = try await app.database.query("SELECT action FROM audit_log WHERE action LIKE 'consent.%' ORDER BY id").collect()
                .map { try $0.decode(String.self) }
            #expect(actions.filter { $0 == "consent.record" }.count == 2)
            #expect(actions.contains("consent.read"))
        }
    }

    @Test("withdrawing newsletter enqueues the opt-out job with ids only; granting does not")
    func newsletterJob() async throws {
        try await TestApp.run { app in
            let fixture = try await Fixture(app)
            try await fixture.event("newsletter", "grant", occurredAt: Date().addingTimeInterval(-60))
            #expect(try await app.rowCount("jobs") == 0)
            let withdrawal = try await fixture.event("newsletter", "withdraw")
            let eventID = try #require(try withdrawal.jsonObject()["id"] as? String)
            let rows = try await app.database.query("SELECT kind, state, payload::text FROM jobs").collect()
            #expect(rows.count == 1)
            let (kind, state, payload) = try #require(rows.first).decode((String, String, String).self)
            #expect(kind == "newsletter_opt_out")
            #expect(state == "available")
            let object = try #require(try JSONSerialization.jsonObject(with: Data(payload.utf8)) as? [String: String])
            #expect(object == ["subject_id": fixture.subjectID, "consent_event_id": eventID])
            #expect(!payload.contains("c@example.com"))
            try await fixture.event("analytics", "withdraw")
            #expect(try await app.rowCount("jobs") == 1)
        }
    }

    @Test("when the transaction fails, neither the withdrawal nor its job is stored")
    func atomicWithJob() async throws {
        try await TestApp.run { app in
            let fixture = try await Fixture(app)
            // Make the audit insert of consent writes fail in this test's own database.
            try await app.asOwner { owner in
                try await owner.query("""
                    CREATE FUNCTION fail_consent_audit() RETURNS trigger LANGUAGE plpgsql AS $$
                    BEGIN IF NEW.action = 'consent.record' THEN RAISE EXCEPTION 'injected failure'; END IF; RETURN NEW; END; $$
                    """)
                try await owner.query("CREATE TRIGGER fail_consent_audit BEFORE INSERT ON audit_log FOR EACH ROW EXECUTE FUNCTION fail_consent_audit()")
            }
            let response = try await fixture.event("newsletter", "withdraw")
            #expect(response.status == .internalServerError)
            #expect(response.headers[.contentType] == "application/problem+json")
            #expect(!response.text.contains("injected"))
            #expect(try await app.rowCount("consent_events") == 0)
            #expect(try await app.rowCount("consent_states") == 0)
            #expect(try await app.rowCount("jobs") == 0)
        }
    }

    @Test("withdrawing a purpose on another legal basis is refused, naming the basis")
    func otherBasis() async throws {
        try await TestApp.run { app in
            let fixture = try await Fixture(app)
            let response = try await fixture.event("account", "withdraw")
            #expect(response.status == .unprocessableContent)
            #expect((try response.jsonObject()["detail"] as? String)?.contains("contract") == true)
            #expect(try await app.rowCount("consent_events") == 0)
        }
    }

    @Test("unknown or not-yet-effective policy versions, unknown purposes and bad evidence are 422")
    func validation() async throws {
        try await TestApp.run { app in
            let fixture = try await Fixture(app)
            #expect(try await fixture.event("newsletter", "grant", policy: "v9").status == .unprocessableContent)
            #expect(try await fixture.event("newsletter", "grant", occurredAt: Date().addingTimeInterval(-2 * 86400)).status == .unprocessableContent)
            #expect(try await fixture.event("newsletter", "grant", occurredAt: Date().addingTimeInterval(3600)).status == .unprocessableContent)
            #expect(try await fixture.event("no_such_purpose", "grant").status == .unprocessableContent)
            #expect(try await fixture.event("newsletter", "grant", evidence: #"{"ip_address":"999.1.1.1"}"#).status == .unprocessableContent)
            #expect(try await fixture.event("newsletter", "maybe").status == .unprocessableContent)
            let missing = try await app.request(.post, "/v1/subjects/\(UUID().uuidString)/consents", key: fixture.shop,
                json: #"{"purpose":"newsletter","action":"grant","policy_version":"v1","channel":"api"}"#)
            #expect(missing.status == .notFound)
            let privacyCenter = try await app.request(.post, "/v1/subjects/\(fixture.subjectID)/consents", key: fixture.shop,
                json: #"{"purpose":"newsletter","action":"grant","policy_version":"v1","channel":"privacy_center"}"#)
            #expect(privacyCenter.status == .unprocessableContent, "only the privacy center records its own channel")
            let request = try await app.request(.post, "/v1/subject-requests", key: fixture.dpo, json: """
                {"subject_id":"\(fixture.subjectID)","kind":"access","regime":"fz152","channel":"privacy_center","received_at":"\(Date().formatted(.iso8601))"}
                """)
            #expect(request.status == .unprocessableContent, "nor a request filed there")
            #expect(try await app.rowCount("consent_events") == 0)
        }
    }

    @Test("a restricted or erased subject cannot grant (409); a restricted one can still withdraw")
    func subjectStatus() async throws {
        try await TestApp.run { app in
            let fixture = try await Fixture(app)
            try await app.database.query("UPDATE subjects SET status = 'restricted' WHERE id = \(UUID(uuidString: fixture.subjectID)!)")
            #expect(try await fixture.event("newsletter", "grant").status == .conflict)
            #expect(try await fixture.event("newsletter", "withdraw").status == .created)
            try await app.database.query("UPDATE subjects SET status = 'erased' WHERE id = \(UUID(uuidString: fixture.subjectID)!)")
            #expect(try await fixture.event("newsletter", "grant").status == .conflict)
        }
    }

    @Test("concurrent events serialise: the latest occurred_at wins the state and both stay in history")
    func concurrentEvents() async throws {
        try await TestApp.run { app in
            let fixture = try await Fixture(app)
            let base = Date().addingTimeInterval(-600)
            for round in 0..<5 {
                let grantAt = base.addingTimeInterval(Double(round * 10))
                let withdrawAt = grantAt.addingTimeInterval(round.isMultiple(of: 2) ? 5 : -5)
                async let grant = fixture.event("analytics", "grant", occurredAt: grantAt)
                async let withdraw = fixture.event("analytics", "withdraw", occurredAt: withdrawAt)
                let (first, second) = try await (grant, withdraw)
                #expect(first.status == .created)
                #expect(second.status == .created)
                let expected = round.isMultiple(of: 2) ? "withdrawn" : "granted"
                #expect(try await fixture.state(of: "analytics")?["state"] as? String == expected, "round \(round)")
            }
            let history = try #require(try await fixture.overview()["history"] as? [[String: Any]])
            #expect(history.count == 10)
            // An event that arrives late with an older time joins history without changing the state.
            try await fixture.event("analytics", "grant", occurredAt: base.addingTimeInterval(-3600))
            #expect(try await fixture.state(of: "analytics")?["state"] as? String == "withdrawn")
        }
    }

    @Test("consent events are append-only in the database, even for the owner of the table")
    func appendOnly() async throws {
        try await TestApp.run { app in
            let fixture = try await Fixture(app)
            try await fixture.event("newsletter", "grant")
            try await app.asOwner { owner in
                for statement in ["UPDATE consent_events SET action = 'withdraw'", "DELETE FROM consent_events", "TRUNCATE consent_events CASCADE"] {
                    await #expect(throws: DatabaseFailure.self, "\(statement)") {
                        try await owner.query(PostgresQuery(unsafeSQL: statement))
                    }
                }
            }
            #expect(try await app.rowCount("consent_events") == 1)
        }
    }

    @Test("purposes: dpo adds, changes, retires and deletes unused ones; used ones cannot be deleted")
    func purposeManagement() async throws {
        try await TestApp.run { app in
            let fixture = try await Fixture(app)
            let created = try await app.request(.post, "/v1/purposes", key: fixture.dpo, json: """
                {"code":"loyalty","title":"Loyalty programme","legal_basis":"consent","retention_days":90,"recipient_kinds":["email_provider"]}
                """)
            #expect(created.status == .created)
            #expect(created.headers[.location] == "/v1/purposes/loyalty")
            #expect(try created.jsonObject()["requires_consent"] as? Bool == true)
            #expect(try await app.request(.post, "/v1/purposes", key: fixture.dpo, json: #"{"code":"loyalty","title":"x","legal_basis":"contract","retention_days":1}"#).status == .conflict)
            #expect(try await app.request(.post, "/v1/purposes", key: fixture.dpo, json: #"{"code":"x2","title":"x","legal_basis":"consent","requires_consent":false,"retention_days":1}"#).status == .unprocessableContent)
            #expect(try await app.request(.post, "/v1/purposes", key: fixture.shop, json: #"{"code":"x3","title":"x","legal_basis":"contract","retention_days":1}"#).status == .forbidden)

            #expect(try await fixture.event("loyalty", "grant").status == .created)
            let retired = try await app.request(.patch, "/v1/purposes/loyalty", key: fixture.dpo, json: #"{"retired":true,"retention_days":60}"#)
            #expect(retired.status == .ok)
            #expect(try retired.jsonObject()["retired_at"] is String)
            #expect(try retired.jsonObject()["retention_days"] as? Int == 60)
            #expect(try await fixture.event("loyalty", "grant").status == .unprocessableContent)
            #expect(try await fixture.event("loyalty", "withdraw").status == .created)
            #expect(try await app.request(.delete, "/v1/purposes/loyalty", key: fixture.dpo).status == .conflict)

            _ = try await app.request(.post, "/v1/purposes", key: fixture.dpo, json: #"{"code":"unused","title":"Unused","legal_basis":"contract","retention_days":1}"#)
            #expect(try await app.request(.delete, "/v1/purposes/unused", key: fixture.dpo).status == .noContent)
            #expect(try await app.request(.get, "/v1/purposes/unused", key: fixture.shop).status == .notFound)
            let patchMissing = try await app.request(.patch, "/v1/purposes/unused", key: fixture.dpo, json: #"{"title":"x"}"#)
            #expect(patchMissing.status == .notFound, "\(patchMissing.text)")
            let catalogueChanges = try await app.database.query(
                "SELECT action FROM audit_log WHERE subject_id IS NULL AND api_key_id IS NOT NULL ORDER BY id"
            ).collect().map { try $0.decode(String.self) }
            #expect(catalogueChanges == [
                "policy_version.create", "purpose.create", "purpose.update", "purpose.create", "purpose.delete",
            ])
        }
    }

    @Test("policy versions: labels are unique and listed newest first")
    func policyVersions() async throws {
        try await TestApp.run { app in
            let fixture = try await Fixture(app)
            let hash = String(repeating: "b", count: 64)
            let second = try await app.request(.post, "/v1/policy-versions", key: fixture.dpo, json: """
                {"label":"v2","url":"https://shop.example/privacy/v2","text_sha256":"\(hash)","effective_at":"2030-01-01T00:00:00+03:00"}
                """)
            #expect(second.status == .created)
            let duplicate = try await app.request(.post, "/v1/policy-versions", key: fixture.dpo, json: """
                {"label":"v2","url":"https://shop.example/privacy/v2","text_sha256":"\(hash)","effective_at":"2030-01-01T00:00:00Z"}
                """)
            #expect(duplicate.status == .conflict)
            let items = try #require(try await app.request(.get, "/v1/policy-versions", key: fixture.shop).jsonObject()["items"] as? [[String: Any]])
            #expect(items.compactMap { $0["label"] as? String } == ["v2", "v1"])
            #expect(try await fixture.event("newsletter", "grant", policy: "v2").status == .unprocessableContent)
        }
    }
}

/// A failed precondition of a test fixture.
struct TestFailure: Error, CustomStringConvertible {
    let description: String

    init(_ description: String) {
        self.description = description
    }
}
