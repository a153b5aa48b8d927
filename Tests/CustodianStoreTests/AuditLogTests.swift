import CustodianCore
import CustodianStore
import CustodianTestSupport
import Foundation
import PostgresNIO
import Testing

@Suite("The audit log is append-only")
struct AuditLogTests {
    @Test("UPDATE, DELETE and TRUNCATE on audit_log are rejected by the database, even for the owner of the table")
    func immutable() async throws {
        try await TestDatabase.withMigrated(as: .owner) { database in
            let (key, _) = try await APIKeyRepository(database: database).create(name: "t", scope: .dpo)
            let subject = try await SubjectRepository(database: database).create(
                NewSubject(externalRef: "c-1", fullName: "A B", email: nil, phone: nil, registrationAddress: nil, locale: nil),
                actor: AuditActor(apiKeyID: key.id, requestID: "r1"))
            for statement in ["UPDATE audit_log SET action = 'x'", "DELETE FROM audit_log", "TRUNCATE audit_log"] {
                await #expect(throws: DatabaseFailure.self, "\(statement)") {
                    try await database.query(PostgresQuery(unsafeSQL: statement))
                }
            }
            let events = try await AuditRepository(database: database).events(subjectID: subject.id, afterID: nil, limit: 10)
            #expect(events.map(\.action) == [SubjectRepository.Action.create])
            #expect(events.first?.apiKeyID == key.id)
            #expect(events.first?.requestID == "r1")
        }
    }

    @Test("a failed write leaves no audit row")
    func atomic() async throws {
        try await TestDatabase.withMigrated { database in
            let repository = SubjectRepository(database: database)
            let actor = AuditActor(apiKeyID: nil, requestID: "r")
            let subject = try NewSubject(externalRef: "c-1", fullName: "A", email: "a@example.com", phone: nil, registrationAddress: nil, locale: nil)
            _ = try await repository.create(subject, actor: actor)
            await #expect(throws: StoreError.duplicate(field: "external_ref")) {
                try await repository.create(subject, actor: actor)
            }
            let count = try await database.query("SELECT count(*) FROM audit_log").collect().first?.decode(Int.self)
            #expect(count == 1)
        }
    }

    @Test("a row names its actor's kind: an API key, a console user, or the system; never two actors")
    func actorKinds() async throws {
        try await TestDatabase.withMigrated { database in
            let (key, _) = try await APIKeyRepository(database: database).create(name: "t", scope: .dpo)
            let (user, _) = try await ConsoleUserRepository(database: database, passwordIterations: 1000).create(email: "dpo@shop.example", role: .dpo)
            let subject = try await SubjectRepository(database: database).create(
                NewSubject(externalRef: "c-1", fullName: "A B", email: nil, phone: nil, registrationAddress: nil, locale: nil),
                actor: AuditActor(apiKeyID: key.id, requestID: "by-key"))
            try await database.transaction { connection in
                try await AuditRepository.append(
                    action: "subject.read", subjectID: subject.id, actor: AuditActor(userID: user.id, requestID: "by-user"), on: connection,
                    logger: TestDatabase.logger)
                try await AuditRepository.append(
                    action: "retention.run", subjectID: subject.id, actor: AuditActor(apiKeyID: nil, requestID: "by-system"), on: connection,
                    logger: TestDatabase.logger)
            }
            let events = try await AuditRepository(database: database).events(subjectID: subject.id, afterID: nil, limit: 10)
            #expect(events.map(\.actorKind) == [.apiKey, .user, .system])
            #expect(events.map(\.userID) == [nil, user.id, nil])
            #expect(events.map(\.apiKeyID) == [key.id, nil, nil])
            await #expect(throws: DatabaseFailure.self, "one actor per row") {
                try await database.query("INSERT INTO audit_log (api_key_id, user_id, action, request_id) VALUES (\(key.id), \(user.id), 'x', 'r')")
            }
        }
    }
}
