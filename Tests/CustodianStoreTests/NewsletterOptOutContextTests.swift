import CustodianCore
@testable import CustodianStore
import CustodianTestSupport
import Foundation
import Testing

/// The newsletter opt-out's one read: the subject's contact opened, the active e-mail provider and the job's delivered
/// steps, each case the handler decides on.
@Suite("Newsletter opt-out context")
struct NewsletterOptOutContextTests {
    static let actor = AuditActor(apiKeyID: nil, party: .shop, requestID: "opt-out-context")

    @Test("nil for an unknown subject; the contact opened; no target without an active provider; the first active provider by code, opened; the job's delivered steps")
    func context() async throws {
        try await TestDatabase.withMigrated { database in
            let deliveries = OutboundDeliveryRepository(database: database)
            let kind = RecipientKind.emailProvider.rawValue
            #expect(try await deliveries.newsletterOptOutContext(subjectID: UUID(), jobID: 1, recipientKind: kind) == nil)

            let subject = try await SubjectRepository(database: database).create(
                try NewSubject(externalRef: "ctx-1", fullName: "Вера Отписка", email: "vera@example.com", phone: nil, registrationAddress: nil, locale: "ru-RU"),
                actor: Self.actor)
            let alone = try #require(try await deliveries.newsletterOptOutContext(subjectID: subject.id, jobID: 7, recipientKind: kind))
            #expect(alone.contact.email == "vera@example.com")
            #expect(alone.contact.fullName == "Вера Отписка")
            #expect(alone.contact.locale == "ru-RU")
            #expect(alone.contact.status == SubjectStatus.active.rawValue)
            #expect(try alone.target() == nil)
            #expect(alone.deliveredSteps.isEmpty)

            // An inactive provider first by code, then the active one the job must use; their secrets sealed, as stored.
            let (inactive, active, keys) = (UUID(), UUID(), try database.requireKeys())
            for (id, code, isActive) in [(inactive, "a-mail", false), (active, "b-mail", true)] {
                let token = RecipientSecrets.seal("token-\(code)", "api_token", recipientID: id, keys: keys)
                let secret = RecipientSecrets.seal("whsec_c2VjcmV0", "signing_secret", recipientID: id, keys: keys)
                try await database.query("""
                    INSERT INTO recipients (id, code, name, kind, base_url, api_token, signing_secret, country, country_adequate, data_categories, active)
                    VALUES (\(id), \(code), 'Mail', \(kind), 'http://127.0.0.1:9', \(token), \(secret), 'RU', true, '{full_name,email}', \(isActive))
                    """)
            }
            try await deliveries.recordDelivered(
                jobID: 7, step: "suppress", recipientID: active, webhookID: "msg_job7_suppress", httpStatus: 200, subjectID: subject.id,
                categories: [.email])
            let ready = try #require(try await deliveries.newsletterOptOutContext(subjectID: subject.id, jobID: 7, recipientKind: kind))
            let target = try #require(try ready.target())
            #expect(target.recipientID == active)
            #expect(target.baseURL == "http://127.0.0.1:9")
            #expect(target.apiToken == "token-b-mail")
            #expect(target.signingSecret == "whsec_c2VjcmV0")
            #expect(ready.deliveredSteps == ["suppress"])
            let other = try #require(try await deliveries.newsletterOptOutContext(subjectID: subject.id, jobID: 8, recipientKind: kind))
            #expect(other.deliveredSteps.isEmpty, "another job's steps are its own")
        }
    }
}
