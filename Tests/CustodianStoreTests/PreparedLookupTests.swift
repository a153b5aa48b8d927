import CustodianCore
import CustodianDatabase
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

    @Test("the searches by e-mail, phone and external ref, the subject read, the consent read and the order list switch to a generic plan and find the same rows")
    func plannedOnce() async throws {
        try await TestDatabase.withMigrated { database in
            let keys = try database.requireKeys()
            let subject = try await SubjectRepository(database: database).create(
                try NewSubject(externalRef: "prep-1", fullName: "Анна Подготовленная", email: "Anna.Prep@example.com", phone: "+79005550111",
                              registrationAddress: nil, locale: "ru"),
                actor: Self.actor)
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
                }
                let query: PostgresQuery = "SELECT name, generic_plans, custom_plans FROM pg_prepared_statements ORDER BY name"
                var plans: [String: (generic: Int, custom: Int)] = [:]
                for try await (name, generic, custom) in try await connection.query(query, logger: database.logger).decode((String, Int, Int).self) {
                    plans[name] = (generic, custom)
                }
                return (plans, found)
            }
            #expect(found == ["email": 4, "phone": 8, "external_ref": 8, "read": 8, "consents": 8 * consentRowsPerRun, "orders": 8])
            for name in [SubjectSearchByEmail.name, SubjectSearchByPhone.name, SubjectSearchByExternalRef.name, SubjectReadStatement.name, ConsentOverviewStatement.name, OrderListStatement.name] {
                let (generic, custom) = try #require(plans[name], "\(name) was not prepared on the connection")
                #expect(generic >= 2 && custom <= 5, "\(name): \(generic) generic plans, \(custom) custom")
            }
        }
    }

    /// The rows `statement` returns on `connection`.
    static func count(_ statement: some RowsStatement, on connection: PostgresConnection, _ logger: Logger) async throws -> Int {
        var rows = 0
        for try await _ in try await connection.execute(statement, logger: logger) { rows += 1 }
        return rows
    }
}
