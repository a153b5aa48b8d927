import CustodianCore
@testable import CustodianStore
import CustodianTestSupport
import Foundation
import PostgresNIO
import Testing

/// `custodian import`'s writes: customers stored as the API stores them (sealed, readable, findable, audited), their
/// consent history with the current state of each purpose, their orders; a re-run leaves them as they are; a taken
/// e-mail or order reference refuses the customer alone.
@Suite("Importing existing customers")
struct CustomerImportTests {
    static let actor = AuditActor(apiKeyID: nil, requestID: "test")
    static let now = Date()

    /// A policy version and a consent text covering the newsletter and analytics, in effect since 2020.
    static func catalogue(_ database: Database) async throws -> ImportCatalogue {
        let since = Date(timeIntervalSince1970: 1_577_836_800)
        _ = try await PolicyVersionRepository(database: database).create(
            label: "p-2020", url: "https://shop.example/p", textSHA256: String(repeating: "a", count: 64), effectiveAt: since, actor: actor)
        _ = try await ConsentTextRepository(database: database).create(
            try NewConsentText(label: "t-2020", url: "https://shop.example/t", textSHA256: String(repeating: "b", count: 64), effectiveAt: since,
                               purposes: ["newsletter", "analytics"]),
            actor: actor)
        return try await CustomerImportRepository(database: database).catalogue()
    }

    static func line(_ json: String) throws -> CustomerImportLine {
        try CustomerImportLine.decode(json: Array(json.utf8))
    }

    static let anna = """
        {"external_ref":"imp-1","full_name":"Анна Импортова","email":"anna.imp@example.org","phone":"+7 999 123-45-67",
         "consents":[{"purpose":"newsletter","action":"grant","policy_version":"p-2020","consent_text":"t-2020","channel":"web_form",
                      "occurred_at":"2023-05-01T10:00:00Z","evidence":{"ip_address":"203.0.113.77","form_id":"signup"}},
                     {"purpose":"newsletter","action":"withdraw","policy_version":"p-2020","channel":"email_link","occurred_at":"2024-01-01T10:00:00Z"},
                     {"purpose":"analytics","action":"grant","policy_version":"p-2020","consent_text":"t-2020","channel":"checkout",
                      "occurred_at":"2022-05-01T10:00:00+03:00"}],
         "orders":[{"external_ref":"imp-o-1","placed_at":"2024-02-01T12:00:00Z","status":"delivered","currency":"RUB","total_minor":2500,
                    "items":[{"sku":"TEA","name":"Tea","quantity":2,"unit_price_minor":1250}],
                    "delivery":{"recipient_name":"Анна","phone":"+79991234567","address_lines":["ул. Ленина, 1","кв. 2"],"city":"Москва",
                                "postal_code":"101000","country":"ru"}}]}
        """.replacingOccurrences(of: "\n", with: "")

    @Test("a customer is stored sealed, reads and finds as an API-made one, with its history, current states, order and audit rows")
    func importsCustomer() async throws {
        try await TestDatabase.withMigrated { database in
            let catalogue = try await Self.catalogue(database)
            let repository = CustomerImportRepository(database: database)
            let customer = try Self.line(Self.anna).validated(against: catalogue, now: Self.now)
            let outcome = try await repository.write(try repository.prepare([customer]), requestID: "import-test")
            #expect(outcome == CustomerImportRepository.BatchOutcome(imported: [0], consentEvents: 3, orders: 1))

            let subjects = SubjectRepository(database: database)
            let found = try await subjects.find(SubjectLookup(email: "ANNA.IMP@example.org"), afterID: nil, limit: 5, actor: Self.actor)
            let subject = try #require(found.first)
            #expect(found.count == 1 && subject.fullName == "Анна Импортова" && subject.phone == "+79991234567" && subject.externalRef == "imp-1")
            let stored = try #require(try await database.query("SELECT full_name, email, phone FROM subjects WHERE id = \(subject.id)")
                .decode((String, String, String).self).first(where: { _ in true }))
            #expect([stored.0, stored.1, stored.2].allSatisfy(DataKey.isSealed), "stored sealed under the subject's key")

            let overview = try #require(try await ConsentRepository(database: database).overview(subjectID: subject.id, actor: Self.actor))
            #expect(overview.history.count == 3)
            let newsletter = overview.states.first { $0.purpose == "newsletter" }
            let analytics = overview.states.first { $0.purpose == "analytics" }
            #expect(newsletter?.action == .withdraw, "the latest event of a purpose is its state")
            #expect(newsletter?.since == RFC3339.date(from: "2024-01-01T10:00:00Z"))
            #expect(analytics?.action == .grant && analytics?.since == RFC3339.date(from: "2022-05-01T07:00:00Z"))
            let grant = try #require(overview.history.first { $0.purpose == "newsletter" && $0.action == .grant })
            #expect(grant.ipAddress == "203.0.113.0" && grant.formID == "signup" && grant.consentTextLabel == "t-2020" && grant.channel == .webForm)

            let orders = try #require(try await OrderRepository(database: database).list(subjectID: subject.id, afterID: nil, limit: 5, actor: Self.actor))
            let order = try #require(orders.first)
            #expect(orders.count == 1 && order.status == .delivered && order.placedAt == RFC3339.date(from: "2024-02-01T12:00:00Z"))
            #expect(order.deliveryAddressLines == ["ул. Ленина, 1", "кв. 2"] && order.deliveryRecipientName == "Анна" && order.deliveryCountry == "RU")
            #expect(order.items == [OrderItem(sku: "TEA", name: "Tea", quantity: 2, unitPriceMinor: 1250)])

            let audit = try await database.query("SELECT action FROM audit_log WHERE request_id = 'import-test' ORDER BY action")
                .decode(String.self).reduce(into: [String]()) { $0.append($1) }
            #expect(audit == ["consent.record", "consent.record", "consent.record", "order.create", "subject.create"])
            let jobs = try await database.query("SELECT count(*) FROM jobs").decode(Int.self).reduce(0) { $0 + $1 }
            #expect(jobs == 0, "history is recorded, not replayed: no opt-out job for the old withdrawal")
        }
    }

    @Test("a re-run leaves stored customers as they are, and imports only the new ones")
    func rerunIsIdempotent() async throws {
        try await TestDatabase.withMigrated { database in
            let catalogue = try await Self.catalogue(database)
            let repository = CustomerImportRepository(database: database)
            let anna = try Self.line(Self.anna).validated(against: catalogue, now: Self.now)
            _ = try await repository.write(try repository.prepare([anna]), requestID: "first")
            let boris = try Self.line(#"{"external_ref":"imp-2","full_name":"Борис"}"#).validated(against: catalogue, now: Self.now)
            let outcome = try await repository.write(try repository.prepare([anna, boris]), requestID: "second")
            #expect(outcome == CustomerImportRepository.BatchOutcome(imported: [1], present: [0]))
            let counts = try #require(try await database.query("""
                SELECT (SELECT count(*) FROM subjects), (SELECT count(*) FROM consent_events), (SELECT count(*) FROM orders),
                       (SELECT count(*) FROM audit_log WHERE request_id = 'second')
                """).decode((Int, Int, Int, Int).self).first(where: { _ in true }))
            #expect(counts == (2, 3, 1, 1))
        }
    }

    @Test("events of one purpose at the same instant: the later in the file is the state, as recorded one after another")
    func tieGoesToTheLaterLine() async throws {
        try await TestDatabase.withMigrated { database in
            let catalogue = try await Self.catalogue(database)
            let repository = CustomerImportRepository(database: database)
            let event = #"{"purpose":"newsletter","action":"ACTION","policy_version":"p-2020","consent_text":"t-2020","channel":"api","occurred_at":"2023-01-01T00:00:00Z"}"#
            for (ref, order) in [("tie-1", ["grant", "withdraw"]), ("tie-2", ["withdraw", "grant"])] {
                let events = order.map { event.replacingOccurrences(of: "ACTION", with: $0) }.joined(separator: ",")
                let customer = try Self.line(#"{"external_ref":"\#(ref)","full_name":"Tie","consents":[\#(events)]}"#)
                    .validated(against: catalogue, now: Self.now)
                _ = try await repository.write(try repository.prepare([customer]), requestID: ref)
            }
            let states = try await database.query("""
                SELECT s.external_ref, c.action FROM consent_states c JOIN subjects s ON s.id = c.subject_id ORDER BY s.external_ref
                """).decode((String, String).self).reduce(into: [String]()) { $0.append($1.0 + ":" + $1.1) }
            #expect(states == ["tie-1:withdraw", "tie-2:grant"])
        }
    }

    @Test("a customer whose external_ref repeats an earlier one of its batch is refused, not written twice")
    func refusesRepeatedReference() async throws {
        try await TestDatabase.withMigrated { database in
            let catalogue = try await Self.catalogue(database)
            let repository = CustomerImportRepository(database: database)
            let customers = try [#"{"external_ref":"rep","full_name":"One"}"#, #"{"external_ref":"rep","full_name":"Two"}"#]
                .map { try Self.line($0).validated(against: catalogue, now: Self.now) }
            let outcome = try await repository.write(try repository.prepare(customers), requestID: "rep")
            #expect(outcome.imported == [0])
            #expect(outcome.refused == [.init(position: 1, error: FieldError(field: "external_ref", message: "repeats an earlier customer of the batch"))])
        }
    }

    @Test("an e-mail or an order reference another subject holds refuses that customer alone, naming the member")
    func refusesTakenValues() async throws {
        try await TestDatabase.withMigrated { database in
            let catalogue = try await Self.catalogue(database)
            let repository = CustomerImportRepository(database: database)
            _ = try await repository.write(
                try repository.prepare([try Self.line(Self.anna).validated(against: catalogue, now: Self.now)]), requestID: "first")
            let lines = [
                #"{"external_ref":"imp-3","full_name":"Same e-mail","email":"Anna.Imp@example.org"}"#,
                #"{"external_ref":"imp-4","full_name":"Free"}"#,
                #"{"external_ref":"imp-5","full_name":"Same order","orders":[{"external_ref":"imp-o-1","currency":"RUB","total_minor":1,"items":[{"sku":"A","name":"A","quantity":1,"unit_price_minor":1}],"delivery":{"recipient_name":"X","phone":"+79990000000","address_lines":["A"],"city":"C","country":"RU"}}]}"#,
                #"{"external_ref":"imp-6","full_name":"E-mail of imp-7","email":"twice@example.org"}"#,
                #"{"external_ref":"imp-7","full_name":"Twice in the batch","email":"twice@example.org"}"#,
            ]
            let customers = try lines.map { try Self.line($0).validated(against: catalogue, now: Self.now) }
            let outcome = try await repository.write(try repository.prepare(customers), requestID: "second")
            #expect(outcome.imported == [1, 3])
            #expect(outcome.refused.map(\.position) == [0, 2, 4])
            #expect(outcome.refused.map(\.error) == [
                FieldError(field: "email", message: "belongs to another subject"),
                FieldError(field: "orders.0.external_ref", message: "belongs to another order"),
                FieldError(field: "email", message: "belongs to another subject"),
            ])
            let refs = try await database.query("SELECT external_ref FROM subjects ORDER BY external_ref").decode(String.self)
                .reduce(into: [String]()) { $0.append($1) }
            #expect(refs == ["imp-1", "imp-4", "imp-6"])
        }
    }
}
