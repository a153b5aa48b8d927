import CustodianCore
import CustodianStore
import Foundation
import PartnerSim
import Testing

/// The privacy center's e-mail verification (issue 23): a code through the e-mail provider, 10 minutes, 5 attempts.
@Suite("End to end: privacy-center verification")
struct PrivacyVerificationTests {
    static func messages(_ stack: EndToEndStack) async throws -> [ReceivedMessage] {
        try await stack.received().received.filter { $0.endpoint == "/email/messages" && $0.body["template"] == .string("privacy_verification_code") }
    }

    static func code(in message: ReceivedMessage) -> String? {
        guard case .object(let variables) = message.body["variables"], case .string(let code) = variables["code"] else { return nil }
        return code
    }

    @Test("a known address gets a code by e-mail (logged as a transfer), an unknown one nothing and no row; five wrong tries exhaust a code; the right one opens a session")
    func codes() async throws {
        try await EndToEndStack.run { stack in
            let dpo = try await APIKeyRepository(database: stack.database).create(name: "dpo", scope: .dpo).secret.token
            let shop = try await APIKeyRepository(database: stack.database).create(name: "shop", scope: .shop).secret.token
            try await ErasureCascadeTests.registerMailProvider(stack, dpo: dpo)
            let subject = try await stack.request(.post, "/v1/subjects", key: shop, json: #"{"external_ref":"pc-1","full_name":"Олег","email":"oleg.pc@example.com"}"#)
            let subjectID = try #require(subject["id"] as? String)
            let verifications = PrivacyVerificationRepository(database: stack.database)

            try await verifications.request(email: "nobody@example.com")
            #expect(try await SubjectRequestWorkTests.count(stack, "SELECT count(*) FROM privacy_verifications") == 0, "an unknown address stores nothing")
            try await verifications.request(email: "OLEG.pc@example.com")
            try await EndToEndStack.waitFor { try await Self.messages(stack).count == 1 }
            let first = try #require(try await Self.messages(stack).first)
            #expect(first.body["to"] == .string("oleg.pc@example.com"))
            let code = try #require(Self.code(in: first))
            #expect(try await SubjectRequestWorkTests.count(stack, "SELECT count(*) FROM jobs WHERE kind = 'verification_code'") == 1)
            let logged = try await TransferLogTests.transfers(stack, subjectID, dpo: dpo)
            #expect(logged.count == 1 && logged.first?["data_categories"] as? [String] == ["email"] && logged.first?["purpose"] as? String == "subject_rights")

            let wrong = code == "000000" ? "111111" : "000000"
            for left in stride(from: 4, through: 0, by: -1) {
                #expect(try await verifications.verify(email: "oleg.pc@example.com", code: wrong, key: EndToEndStack.verificationKey)
                        == .refused(.wrong(attemptsLeft: left)))
            }
            #expect(try await verifications.verify(email: "oleg.pc@example.com", code: code, key: EndToEndStack.verificationKey) == .refused(.exhausted),
                    "after five wrong tries even the right code is refused")
            #expect(try await verifications.verify(email: "nobody@example.com", code: code, key: EndToEndStack.verificationKey) == .refused(nil))

            try await verifications.request(email: "oleg.pc@example.com")
            try await EndToEndStack.waitFor { try await Self.messages(stack).count == 2 }
            let second = try #require(Self.code(in: try await Self.messages(stack)[1]))
            try await stack.database.query("UPDATE privacy_verifications SET created_at = now() - interval '11 minutes'")
            #expect(try await verifications.verify(email: "oleg.pc@example.com", code: second, key: EndToEndStack.verificationKey) == .refused(.expired))

            try await verifications.request(email: "oleg.pc@example.com")
            try await EndToEndStack.waitFor { try await Self.messages(stack).count == 3 }
            let third = try #require(Self.code(in: try await Self.messages(stack)[2]))
            guard case .verified(let token, let verified) = try await verifications.verify(
                email: "oleg.pc@example.com", code: third, key: EndToEndStack.verificationKey) else {
                Issue.record("the right code within 10 minutes opens a session")
                return
            }
            #expect(verified.uuidString.lowercased() == subjectID && token.count >= 40)
            #expect(try await SubjectRequestWorkTests.count(stack, """
                SELECT count(*) FROM privacy_sessions WHERE expires_at BETWEEN now() + interval '29 minutes' AND now() + interval '31 minutes'
                """) == 1, "a 30-minute session, its token stored only as a hash")
            #expect(try await SubjectRequestWorkTests.count(stack, "SELECT count(*) FROM audit_log WHERE action = 'privacy.verified' AND actor_kind = 'subject'") == 1)
            #expect(try await verifications.verify(email: "oleg.pc@example.com", code: third, key: EndToEndStack.verificationKey) != .verified(
                sessionToken: token, subjectID: verified), "a code works once")
        }
    }
}
