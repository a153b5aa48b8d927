import CustodianCore
@testable import CustodianStore
import CustodianTestSupport
import Foundation
import PostgresNIO
import Testing

/// Subjects' personal data as the database holds it: sealed under each subject's data key, found by blind index,
/// shredded by erasure, rewrapped by a KEK rotation.
@Suite("Personal data sealed at rest")
struct PersonalDataSealingTests {
    static let actor = AuditActor(apiKeyID: nil, requestID: "sealing")

    static func person(_ ref: String = "seal-1", email: String = "Petr.Sealed@Example.com") throws -> NewSubject {
        try NewSubject(
            externalRef: ref, fullName: "Пётр Запечатанный", email: email, phone: "+79005550101",
            registrationAddress: "Москва, Тайная ул., 1", locale: "ru")
    }

    /// The subject's four columns as stored.
    static func stored(_ id: UUID, _ database: Database) async throws -> [String?] {
        let row = try #require(try await database.query("""
            SELECT full_name, email, phone, registration_address FROM subjects WHERE id = \(id)
            """).decode((String?, String?, String?, String?).self).first(where: { _ in true }))
        return [row.0, row.1, row.2, row.3]
    }

    @Test("name, e-mail, phone and address are stored sealed and read back whole")
    func sealedAtRest() async throws {
        try await TestDatabase.withMigrated { database in
            let created = try await SubjectRepository(database: database).create(Self.person(), actor: Self.actor)
            #expect(created.fullName == "Пётр Запечатанный" && created.email?.lowercased() == "petr.sealed@example.com")
            let stored = try await Self.stored(created.id, database)
            #expect(stored.allSatisfy { $0.map(DataKey.isSealed) == true })
            #expect(!stored.compactMap { $0 }.joined().contains("Пётр") && !stored.compactMap { $0 }.joined().lowercased().contains("sealed@"))
            let read = try #require(try await SubjectRepository(database: database).read(id: created.id, actor: Self.actor))
            #expect(read.fullName == "Пётр Запечатанный" && read.email == created.email && read.phone == "+79005550101"
                && read.registrationAddress == "Москва, Тайная ул., 1")
        }
    }

    @Test("lookups and uniqueness by blind index: the e-mail in any case, the phone")
    func blindIndexes() async throws {
        try await TestDatabase.withMigrated { database in
            let subjects = SubjectRepository(database: database)
            let created = try await subjects.create(Self.person(), actor: Self.actor)
            #expect(try await subjects.find(SubjectLookup(email: "PETR.SEALED@example.COM"), afterID: nil, limit: 10, actor: Self.actor).map(\.id) == [created.id])
            #expect(try await subjects.find(SubjectLookup(phone: "+79005550101"), afterID: nil, limit: 10, actor: Self.actor).map(\.id) == [created.id])
            #expect(try await subjects.find(SubjectLookup(email: "other@example.com"), afterID: nil, limit: 10, actor: Self.actor).isEmpty)
            await #expect(throws: StoreError.duplicate(field: "email")) {
                try await subjects.create(Self.person("seal-2", email: "petr.sealed@EXAMPLE.com"), actor: Self.actor)
            }
        }
    }

    @Test("a recipient's API token and signing secret are stored sealed by the KEK and opened only to call it")
    func recipientSecrets() async throws {
        try await TestDatabase.withMigrated { database in
            let secret = StandardWebhooksSecret.generate().text
            let recipient = try await RecipientRepository(database: database).create(
                try NewRecipient(
                    code: "mail", name: "Mail", kind: .emailProvider, baseURL: "https://mail.example", apiToken: "api-token-1",
                    signingSecret: secret, country: "RU", countryAdequate: true, dataCategories: [.email],
                    policy: OutboundAddressPolicy(allowedHosts: ["mail.example"])),
                actor: Self.actor)
            let (token, signing) = try #require(try await database.query("SELECT api_token, signing_secret FROM recipients WHERE id = \(recipient.id)")
                .decode((String, String).self).first(where: { _ in true }))
            #expect(token.hasPrefix(PersonalDataKeys.secretMarker) && signing.hasPrefix(PersonalDataKeys.secretMarker))
            #expect(!token.contains("api-token-1") && !signing.contains(secret.dropFirst(6)))
            let target = try await OutboundDeliveryRepository(database: database).activeTarget(kind: "email_provider")
            #expect(target?.apiToken == "api-token-1" && target?.signingSecret == secret)
            // Written before encryption: plain, still usable, sealed by encrypt-existing.
            try await database.query("UPDATE recipients SET api_token = 'api-token-1', signing_secret = \(secret) WHERE id = \(recipient.id)")
            #expect(try await OutboundDeliveryRepository(database: database).activeTarget(kind: "email_provider")?.signingSecret == secret)
            #expect(try await ExistingDataSealing(database: database).sealRecipientSecrets() == 1)
            #expect(try await database.query("SELECT left(signing_secret, 1) = chr(1) FROM recipients").collect().first?.decode(Bool.self) == true)
            #expect(try await OutboundDeliveryRepository(database: database).activeTarget(kind: "email_provider")?.signingSecret == secret)
        }
    }

    @Test("a sealed value copied into another subject's row does not open there")
    func boundToItsRow() async throws {
        try await TestDatabase.withMigrated { database in
            let subjects = SubjectRepository(database: database)
            let first = try await subjects.create(Self.person(), actor: Self.actor)
            let second = try await subjects.create(Self.person("seal-2", email: "second@example.com"), actor: Self.actor)
            try await database.query("UPDATE subjects SET full_name = (SELECT full_name FROM subjects WHERE id = \(first.id)) WHERE id = \(second.id)")
            await #expect(throws: DataKey.Unreadable.self) { try await subjects.read(id: second.id, actor: Self.actor) }
        }
    }

    @Test("erasure deletes the subject's data key: a copy of its sealed values taken before no longer opens")
    func erasureShreds() async throws {
        try await TestDatabase.withMigrated { database in
            let created = try await SubjectRepository(database: database).create(Self.person(), actor: Self.actor)
            let copy = try await Self.stored(created.id, database)
            let request = try await SubjectRequestRepository(database: database).create(
                NewSubjectRequest(
                    subjectID: created.id.uuidString, email: nil, phone: nil, externalRef: nil, kind: .erasure, regime: .gdpr,
                    channel: .api, receivedAt: Date(), ground: .consentWithdrawn),
                receivedOn: CalendarDate(Date(), in: .gmt), hasher: nil, actor: Self.actor)
            _ = try await SubjectRequestWork(database: database, hasher: nil).fulfil(id: request.id, actor: Self.actor)
            #expect(try await database.query("SELECT count(*) FROM custodian_keys.subject_keys WHERE subject_id = \(created.id)")
                .collect().first?.decode(Int.self) == 0)
            #expect(try await Self.stored(created.id, database).allSatisfy { $0 == nil })
            #expect(try await database.query("SELECT email_index IS NULL AND phone_index IS NULL FROM subjects WHERE id = \(created.id)")
                .collect().first?.decode(Bool.self) == true)
            // What a backup taken before the erasure holds, read with the keys there are now.
            let cipher = try await database.withConnection { connection in
                try await SubjectKeys.load(subjectID: created.id, keys: TestDatabase.personalDataKeys, on: connection, logger: database.logger)
            }
            for (value, column) in zip(copy, ["subjects.full_name", "subjects.email", "subjects.phone", "subjects.registration_address"]) {
                #expect(try cipher.open(value, column) == nil)
            }
            // The address is free again.
            _ = try await SubjectRepository(database: database).create(Self.person("seal-3"), actor: Self.actor)
        }
    }

    @Test("a subject written before encryption reads, is found by its plain e-mail, and is sealed by its next change")
    func writtenBefore() async throws {
        try await TestDatabase.withMigrated { database in
            let id = UUID()
            try await database.query("""
                INSERT INTO subjects (id, external_ref, full_name, email, phone, locale) VALUES (\(id), 'old-1', 'Анна Старая', 'anna@example.com', '+79005550202', 'ru')
                """)
            let subjects = SubjectRepository(database: database)
            #expect(try await subjects.read(id: id, actor: Self.actor)?.fullName == "Анна Старая")
            #expect(try await subjects.find(SubjectLookup(email: "ANNA@example.com"), afterID: nil, limit: 10, actor: Self.actor).map(\.id) == [id])
            let changed = try #require(try await subjects.update(
                id: id, changes: try SubjectChanges(
                    externalRef: nil, fullName: "Анна Новая", email: nil, phone: nil, registrationAddress: nil, locale: nil, hasAccount: nil),
                actor: Self.actor))
            #expect(changed.fullName == "Анна Новая" && changed.email == "anna@example.com")
            #expect(try await Self.stored(id, database)[0].map(DataKey.isSealed) == true)
        }
    }

    @Test("kek rotate rewraps every data key under the current KEK without touching the data; then the old KEK can go")
    func rotation() async throws {
        let old = try #require(KeyEncryptionKey(setting: KeyEncryptionKey.newSetting(id: "old")))
        let new = try #require(KeyEncryptionKey(setting: KeyEncryptionKey.newSetting(id: "new")))
        let index = Data(repeating: 3, count: 32)
        let before = try #require(PersonalDataKeys(current: old, indexKey: index))
        let during = try #require(PersonalDataKeys(current: new, previous: [old], indexKey: index))
        let after = try #require(PersonalDataKeys(current: new, indexKey: index))
        try await TestDatabase.withMigratedName { name in
            let secret = StandardWebhooksSecret.generate().text
            let (ids, sealed) = try await TestDatabase.running(TestDatabase.pool(database: name, personalDataKeys: before)) { database in
                var ids: [UUID] = []
                for number in 0..<7 {
                    ids.append(try await SubjectRepository(database: database).create(
                        Self.person("rot-\(number)", email: "rot\(number)@example.com"), actor: Self.actor).id)
                }
                _ = try await RecipientRepository(database: database).create(
                    try NewRecipient(
                        code: "mail", name: "Mail", kind: .emailProvider, baseURL: "https://mail.example", apiToken: "token-\(secret.suffix(8))",
                        signingSecret: secret, country: "RU", countryAdequate: true, dataCategories: [.email],
                        policy: OutboundAddressPolicy(allowedHosts: ["mail.example"])),
                    actor: Self.actor)
                _ = try await database.withConnection { connection in
                    try await ErasureKeys.create(cascadeID: UUID(), keys: before, on: connection, logger: database.logger)
                }
                return (ids, try await Self.stored(ids[0], database))
            }
            try await TestDatabase.running(TestDatabase.pool(database: name, personalDataKeys: during)) { database in
                let rotation = KeyRotation(database: database)
                let pending = try await rotation.remaining()
                var batches: [Int] = []
                var position: KeyRotation.Position? = KeyRotation.Position()
                while let current = position {
                    let (count, next) = try await rotation.rewrapBatch(limit: 5, from: current)
                    (batches, position) = (batches + [count], next)
                }
                let again = try await rotation.rewrapBatch(limit: 5)
                let left = try await rotation.remaining()
                let recipients = try await rotation.resealRecipientSecrets()
                let stored = try await Self.stored(ids[0], database)
                #expect(pending == 8 && batches == [5, 2, 1, 0] && again.count == 0 && left == 0 && recipients == 1,
                        "7 subject keys in id order, then the cascade's, then the pass ends; a new pass finds nothing: \(batches)")
                #expect(stored == sealed, "the data is not touched")
            }
            let (emails, target) = try await TestDatabase.running(TestDatabase.pool(database: name, personalDataKeys: after)) { database in
                var emails: [String?] = []
                for id in ids { emails.append(try await SubjectRepository(database: database).read(id: id, actor: Self.actor)?.email) }
                return (emails, try await OutboundDeliveryRepository(database: database).activeTarget(kind: "email_provider"))
            }
            #expect(emails == (0..<7).map { "rot\($0)@example.com" })
            #expect(target?.signingSecret == secret && target?.apiToken == "token-\(secret.suffix(8))")
        }
    }
}
