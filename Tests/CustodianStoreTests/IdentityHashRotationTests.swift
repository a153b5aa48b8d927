import CustodianCore
import CustodianStore
import CustodianTestSupport
import Foundation
import PostgresNIO
import Testing

/// After the identity hash key is rotated, a repeat request of a person erased before the rotation is still recognised.
@Suite("Identity hashes: key rotation")
struct IdentityHashRotationTests {
    @Test("a request by e-mail names the subject erased under the previous key")
    func recognisedUnderPreviousKey() async throws {
        try await TestDatabase.withMigrated { database in
            let actor = AuditActor(apiKeyID: nil, requestID: "r")
            let subject = try await SubjectRepository(database: database).create(
                NewSubject(externalRef: "rot-1", fullName: "A", email: "rot@example.com", phone: nil, registrationAddress: nil, locale: nil),
                actor: actor)
            let before = try #require(IdentityHasher(base64Key: IdentityHasherRotationKeys.old))
            // Erased before the rotation: only the hash under the old key is left.
            try await database.query("""
                UPDATE subjects SET status = 'erased', email = NULL, email_index = NULL, full_name = NULL, erased_at = now(),
                    email_hash = \(ByteBuffer(bytes: before.email("rot@example.com")))
                WHERE id = \(subject.id)
                """)
            let after = try #require(IdentityHasher(base64Key: IdentityHasherRotationKeys.new, previousBase64Keys: [IdentityHasherRotationKeys.old]))
            let request = try NewSubjectRequest(
                subjectID: nil, email: "ROT@example.com", phone: nil, externalRef: nil, kind: .access, regime: .fz152, channel: .email,
                receivedAt: Date())
            let repository = SubjectRequestRepository(database: database)
            let recognised = try await repository.create(request, receivedOn: CalendarDate(Date(), in: .gmt), hasher: after, actor: actor)
            #expect(recognised.subjectID == subject.id)
            let withoutOld = try #require(IdentityHasher(base64Key: IdentityHasherRotationKeys.new))
            let unknown = try await repository.create(request, receivedOn: CalendarDate(Date(), in: .gmt), hasher: withoutOld, actor: actor)
            #expect(unknown.subjectID == nil, "once the old key is dropped, its hashes no longer match")
        }
    }
}

/// Two keys for the rotation tests.
enum IdentityHasherRotationKeys {
    static let old = Data((0..<32).map { UInt8($0) }).base64EncodedString()
    static let new = Data((0..<32).map { UInt8(255 - $0) }).base64EncodedString()
}
