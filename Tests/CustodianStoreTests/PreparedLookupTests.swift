import CustodianCore
import CustodianDatabase
@testable import CustodianQueue
@testable import CustodianStore
import CustodianTestSupport
import Foundation
import Logging
import PostgresNIO
import Testing

/// The hot lookups run as prepared statements that PostgreSQL plans once per connection (a generic plan), so a
/// request pays for executing them, not for planning them again.
@Suite("Prepared lookups")
struct PreparedLookupTests {
    static let actor = AuditActor(apiKeyID: nil, party: .shop, requestID: "prepared")

    @Test("the searches by e-mail, phone and external ref, the subject read, the consent read, the order list and read and the transfer log switch to a generic plan and find the same rows")
    func plannedOnce() async throws {
        try await TestDatabase.withMigrated { database in
            let keys = try database.requireKeys()
            let subject = try await SubjectRepository(database: database).create(
                try NewSubject(externalRef: "prep-1", fullName: "Анна Подготовленная", email: "Anna.Prep@example.com", phone: "+79005550111",
                              registrationAddress: nil, locale: "ru"),
                actor: Self.actor)
            let order = try await OrderRepository(database: database).create(
                try NewOrder(
                    externalRef: "PREP-1", items: [OrderItem(sku: "A", name: "A", quantity: 2, unitPriceMinor: 100)], totalMinor: 200, currency: "RUB",
                    delivery: DeliveryBlock(recipientName: "Анна Подготовленная", phone: "+79005550111", addressLines: ["ул. Первая, 1"],
                                            city: "Тверь", postalCode: "170000", country: "RU")),
                subjectID: subject.id, actor: Self.actor)
            let first = UUID(uuid: (0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0))
            // The consent read's rows: the subject, then one state per consent-based purpose (no events yet).
            let consentRowsPerRun = 1 + (try await database.query("SELECT count(*)::int FROM purposes WHERE requires_consent")
                .decode(Int.self).first(where: { _ in true }) ?? 0)
            // PostgreSQL plans the first five runs for their values and then compares: eight leave room for the switch.
            let (plans, found) = try await database.withConnection { connection in
                var found: [String: Int] = [:]
                for run in 0..<8 {
                    let email = run.isMultiple(of: 2) ? "anna.prep@EXAMPLE.com" : "nobody\(run)@example.com"
                    found["email", default: 0] += try await Self.count(
                        SubjectSearchByEmail(bindings: SubjectSearch.bindings(
                            after: first, limit: 10, actor: Self.actor, identifier: ByteBuffer(data: keys.emailIndex(email)), email)),
                        on: connection, database.logger)
                    found["phone", default: 0] += try await Self.count(
                        SubjectSearchByPhone(bindings: SubjectSearch.bindings(
                            after: first, limit: 10, actor: Self.actor, identifier: ByteBuffer(data: keys.phoneIndex("+79005550111")), "+79005550111")),
                        on: connection, database.logger)
                    found["external_ref", default: 0] += try await Self.count(
                        SubjectSearchByExternalRef(bindings: SubjectSearch.bindings(after: first, limit: 10, actor: Self.actor, identifier: "prep-1")),
                        on: connection, database.logger)
                    found["read", default: 0] += try await Self.count(SubjectReadStatement(id: subject.id, actor: Self.actor), on: connection, database.logger)
                    found["consents", default: 0] += try await Self.count(
                        ConsentOverviewStatement(subjectID: subject.id, actor: Self.actor), on: connection, database.logger)
                    found["orders", default: 0] += try await Self.count(
                        OrderListStatement(subjectID: subject.id, after: first, limit: 10, actor: Self.actor), on: connection, database.logger)
                    found["order", default: 0] += try await Self.count(OrderReadStatement(id: order.id, actor: Self.actor), on: connection, database.logger)
                    // No transfers yet: the subject's one row of NULLs.
                    found["transfers", default: 0] += try await Self.count(
                        TransferListStatement(subjectID: subject.id, afterID: 0, limit: 10, actor: Self.actor), on: connection, database.logger)
                }
                    return (try await Self.plans(on: connection, database.logger), found)
            }
            #expect(found == [
                "email": 4, "phone": 8, "external_ref": 8, "read": 8, "consents": 8 * consentRowsPerRun, "orders": 8, "order": 8, "transfers": 8,
            ])
            Self.expectGenericPlans(plans, for: [
                SubjectSearchByEmail.name, SubjectSearchByPhone.name, SubjectSearchByExternalRef.name, SubjectReadStatement.name,
                ConsentOverviewStatement.name, OrderListStatement.name, OrderReadStatement.name, TransferListStatement.name,
            ])
        }
    }

    @Test("the consent write's two statements and the job enqueue switch to a generic plan, with the evidence present in some runs and absent in others")
    func writesPlannedOnce() async throws {
        try await TestDatabase.withMigrated { database in
            let policy = try await PolicyVersionRepository(database: database).create(
                label: "prep-v1", url: "https://shop.example/p", textSHA256: String(repeating: "a", count: 64),
                effectiveAt: Date(timeIntervalSinceNow: -86_400), actor: Self.actor)
            let subject = try await SubjectRepository(database: database).create(
                try NewSubject(externalRef: "prep-2", fullName: "Борис Пишущий", email: nil, phone: nil, registrationAddress: nil, locale: "ru"), actor: Self.actor)
            let (plans, written, enqueued) = try await database.withConnection { connection in
                var written = 0
                var enqueued = 0
                for run in 0..<8 {
                    // The first run has no evidence at all: its NULLs may not fix the parameters' types.
                    let evidence = run > 0
                    let event = NewConsentEvent(
                        subjectID: subject.id, purpose: PurposeCode.newsletter, action: run.isMultiple(of: 2) ? .grant : .withdraw,
                        policyLabel: "prep-v1", channel: .api, occurredAt: Date(timeIntervalSinceNow: Double(run - 10)),
                        ipAddress: evidence ? "192.0.2.\(run)" : nil, userAgent: evidence ? "agent" : nil, formID: evidence ? "form" : nil,
                        consentTextLabel: nil)
                    let context = try await connection.execute(ConsentContextStatement(event), logger: database.logger).first(where: { _ in true })
                    #expect(try context?.makeRandomAccess()[4].decode(UUID?.self) == policy.id)
                    for try await row in try await connection.execute(
                        ConsentEventWriteStatement(event, id: UUID(), policyID: policy.id, textID: nil, actor: Self.actor), logger: database.logger
                    ) {
                        let cells = row.makeRandomAccess()
                        #expect(try cells[6].decode(String?.self) == (evidence ? "192.0.2.\(run)" : nil))
                        #expect(try cells[9].decode(Bool.self), "event \(run) did not become the current state")
                        written += 1
                    }
                    let job = try await connection.execute(
                        JobEnqueueStatement(kind: "prepared_test", payload: "{}", uniqueKey: run > 0 ? "prep-\(run)" : nil, priority: 0,
                                            maximumAttempts: 3, subjectID: run > 0 ? subject.id : nil),
                        logger: database.logger
                    ).first(where: { _ in true })?.decode(Int64.self)
                    if job != nil { enqueued += 1 }
                }
                return (try await Self.plans(on: connection, database.logger), written, enqueued)
            }
            #expect(written == 8 && enqueued == 8)
            Self.expectGenericPlans(plans, for: [ConsentContextStatement.name, ConsentEventWriteStatement.name, JobEnqueueStatement.name])
        }
    }

    @Test("the worker's context reads (courier, newsletter opt-out, consent notice, delivered steps, e-mail provider) and the delivered notice's record switch to a generic plan")
    func jobStatementsPlannedOnce() async throws {
        try await TestDatabase.withMigrated { database in
            let plans = try await database.withConnection { connection in
                // Nothing to find: PostgreSQL's choice of plan does not depend on the rows.
                for run in 0..<8 {
                    let (id, jobID) = (UUID(), Int64(run + 1))
                    _ = try await Self.count(CourierContextStatement(shipmentID: id), on: connection, database.logger)
                    _ = try await Self.count(
                        OutboundDeliveryStatements.NewsletterOptOutContextRead(subjectID: id, jobID: jobID, recipientKind: "email_provider"),
                        on: connection, database.logger)
                    _ = try await Self.count(OutboundDeliveryStatements.DeliveredSteps(jobID: jobID), on: connection, database.logger)
                    _ = try await Self.count(OutboundDeliveryStatements.ActiveTarget(kind: "email_provider"), on: connection, database.logger)
                    _ = try await Self.count(ConsentChangeNoticeContextStatement(noticeID: id), on: connection, database.logger)
                    _ = try await Self.count(
                        ConsentChangeNoticeDeliveredStatement(jobID: jobID, noticeID: id, subjectID: id), on: connection, database.logger)
                }
                return try await Self.plans(on: connection, database.logger)
            }
            Self.expectGenericPlans(plans, for: [
                CourierContextStatement.name, OutboundDeliveryStatements.NewsletterOptOutContextRead.name, OutboundDeliveryStatements.DeliveredSteps.name,
                OutboundDeliveryStatements.ActiveTarget.name, ConsentChangeNoticeContextStatement.name, ConsentChangeNoticeDeliveredStatement.name,
            ])
        }
    }

    /// The generic and custom plans of every statement prepared on `connection`, by name.
    static func plans(on connection: PostgresConnection, _ logger: Logger) async throws -> [String: (generic: Int, custom: Int)] {
        let query: PostgresQuery = "SELECT name, generic_plans, custom_plans FROM pg_prepared_statements ORDER BY name"
        var plans: [String: (generic: Int, custom: Int)] = [:]
        for try await (name, generic, custom) in try await connection.query(query, logger: logger).decode((String, Int, Int).self) {
            plans[name] = (generic, custom)
        }
        return plans
    }

    /// PostgreSQL plans the first five runs for their values and then compares: eight runs must have switched.
    static func expectGenericPlans(_ plans: [String: (generic: Int, custom: Int)], for names: [String]) {
        for name in names {
            guard let (generic, custom) = plans[name] else {
                Issue.record("\(name) was not prepared on the connection")
                continue
            }
            #expect(generic >= 2 && custom <= 5, "\(name): \(generic) generic plans, \(custom) custom")
        }
    }

    /// The rows `statement` returns on `connection`.
    static func count(_ statement: some RowsStatement, on connection: PostgresConnection, _ logger: Logger) async throws -> Int {
        var rows = 0
        for try await _ in try await connection.execute(statement, logger: logger) { rows += 1 }
        return rows
    }
}
