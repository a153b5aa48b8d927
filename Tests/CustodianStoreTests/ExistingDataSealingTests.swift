import CustodianCore
@testable import CustodianStore
import CustodianTestSupport
import Foundation
import PostgresNIO
import Testing

/// `custodian encrypt-existing` on a database filled before encryption: every plain value sealed under its subject's
/// key, still readable and findable, in restartable batches; a colliding e-mail skipped and reported.
@Suite("Sealing data written before encryption")
struct ExistingDataSealingTests {
    static let actor = AuditActor(apiKeyID: nil, requestID: "encrypt-existing")

    /// A subject with an order, a pending rectification and a claim, turned back into what a database written before
    /// encryption holds: plain values, no blind indexes, no data key.
    static func writtenBefore(_ database: Database) async throws -> (subject: UUID, order: UUID, rectification: UUID, claim: UUID) {
        let subject = try await SubjectRepository(database: database).create(
            NewSubject(externalRef: "old-1", fullName: "Вера Старая", email: "vera@example.com", phone: "+79005550303",
                       registrationAddress: "Тверь, ул. Старая, 1", locale: "ru"),
            actor: actor)
        let order = try await OrderRepository(database: database).create(
            try NewOrder(
                externalRef: "OLD-1", items: [OrderItem(sku: "A", name: "A", quantity: 1, unitPriceMinor: 100)], totalMinor: 100, currency: "RUB",
                delivery: DeliveryBlock(recipientName: "Вера Старая", phone: "+79005550303", addressLines: ["ул. Старая, 1", "кв. 2"],
                                        city: "Тверь", postalCode: "170000", country: "RU")),
            subjectID: subject.id, actor: actor)
        let requests = SubjectRequestRepository(database: database)
        let today = CalendarDate(Date(), in: .gmt)
        let rectification = try await requests.create(
            NewSubjectRequest(subjectID: subject.id.uuidString, email: nil, phone: nil, externalRef: nil, kind: .rectification, regime: .gdpr,
                              channel: .api, receivedAt: Date(),
                              corrections: try SubjectCorrections(fullName: nil, email: nil, phone: nil, registrationAddress: "Тверь, ул. Новая, 9")),
            receivedOn: today, hasher: nil, actor: actor)
        let claim = try await requests.create(
            NewSubjectRequest(subjectID: subject.id.uuidString, email: nil, phone: nil, externalRef: nil, kind: .claim, regime: .fz152,
                              channel: .api, receivedAt: Date(), claimText: "Старая претензия"),
            receivedOn: today, hasher: nil, actor: actor)
        try await database.query("""
            UPDATE subjects SET full_name = 'Вера Старая', email = 'vera@example.com', phone = '+79005550303',
                registration_address = 'Тверь, ул. Старая, 1', email_index = NULL, phone_index = NULL WHERE id = \(subject.id)
            """)
        try await database.query("""
            UPDATE orders SET delivery_recipient_name = 'Вера Старая', delivery_phone = '+79005550303',
                delivery_address_lines = ARRAY['ул. Старая, 1', 'кв. 2'], delivery_city = 'Тверь', delivery_postal_code = '170000'
            WHERE id = \(order.id)
            """)
        try await database.query("""
            UPDATE subject_requests SET corrections = '{"registration_address":"Тверь, ул. Новая, 9"}'::jsonb WHERE id = \(rectification.id)
            """)
        try await database.query("UPDATE subject_requests SET claim_text = 'Старая претензия' WHERE id = \(claim.id)")
        try await database.query("DELETE FROM custodian_keys.subject_keys WHERE subject_id = \(subject.id)")
        return (subject.id, order.id, rectification.id, claim.id)
    }

    @Test("every plain value is sealed under the subject's key, and still reads, finds and applies")
    func sealsEverything() async throws {
        try await TestDatabase.withMigrated { database in
            let old = try await Self.writtenBefore(database)
            let sealing = ExistingDataSealing(database: database)
            #expect(try await sealing.remaining() == 1)
            #expect(try await sealing.sealBatch().sealed == [old.subject])
            #expect(try await sealing.remaining() == 0)
            #expect(try await sealing.sealBatch() == .init(), "nothing is sealed twice")

            let stored = try #require(try await database.query("""
                SELECT s.full_name, s.email, s.registration_address, o.delivery_recipient_name, o.delivery_address_lines[2], o.delivery_city,
                       q.claim_text, jsonb_typeof(r.corrections)
                FROM subjects s JOIN orders o ON o.subject_id = s.id JOIN subject_requests q ON q.id = \(old.claim)
                JOIN subject_requests r ON r.id = \(old.rectification) WHERE s.id = \(old.subject)
                """).decode((String, String, String, String, String, String, String, String).self).first(where: { _ in true }))
            #expect([stored.0, stored.1, stored.2, stored.3, stored.4, stored.5, stored.6].allSatisfy(DataKey.isSealed))
            #expect(stored.7 == "string", "the corrections are one sealed string")

            let subjects = SubjectRepository(database: database)
            #expect(try await subjects.read(id: old.subject, actor: Self.actor)?.fullName == "Вера Старая")
            #expect(try await subjects.find(SubjectLookup(email: "VERA@example.com"), afterID: nil, limit: 5, actor: Self.actor).map(\.id) == [old.subject])
            #expect(try await subjects.find(SubjectLookup(phone: "+79005550303"), afterID: nil, limit: 5, actor: Self.actor).map(\.id) == [old.subject])
            let order = try await OrderRepository(database: database).read(id: old.order, actor: Self.actor)
            #expect(order?.deliveryAddressLines == ["ул. Старая, 1", "кв. 2"] && order?.deliveryCity == "Тверь")
            #expect(try await SubjectRequestRepository(database: database).read(id: old.claim, actor: Self.actor)?.record.claimText == "Старая претензия")
            _ = try await SubjectRequestWork(database: database, hasher: nil).fulfil(id: old.rectification, actor: Self.actor)
            #expect(try await subjects.read(id: old.subject, actor: Self.actor)?.registrationAddress == "Тверь, ул. Новая, 9")
        }
    }

    @Test("restartable in batches; a subject whose e-mail another already holds is skipped and reported")
    func batchesAndConflicts() async throws {
        try await TestDatabase.withMigrated { database in
            let old = try await Self.writtenBefore(database)
            // Written while the upgrade ran: the same address, sealed and indexed, on a new subject.
            _ = try await SubjectRepository(database: database).create(
                NewSubject(externalRef: "new-1", fullName: "Вера Новая", email: "VERA@example.com", phone: nil, registrationAddress: nil, locale: nil),
                actor: Self.actor)
            let plainOther = UUID()
            try await database.query("""
                INSERT INTO subjects (id, external_ref, full_name, email, locale) VALUES (\(plainOther), 'old-2', 'Олег Старый', 'oleg@example.com', 'ru')
                """)
            let sealing = ExistingDataSealing(database: database)
            #expect(try await sealing.remaining() == 2)
            let first = try await sealing.sealBatch(limit: 1)
            let second = try await sealing.sealBatch(limit: 1, skipping: Set(first.conflicting))
            let all = first.sealed + second.sealed
            let conflicting = first.conflicting + second.conflicting
            #expect(all == [plainOther] && conflicting == [old.subject])
            #expect(try await sealing.sealBatch(limit: 1, skipping: Set(conflicting)) == .init())
            #expect(try await sealing.remaining() == 1, "the skipped subject is left as it was")
            #expect(try await SubjectRepository(database: database).read(id: old.subject, actor: Self.actor)?.email == "vera@example.com")
        }
    }
}
