import CustodianCore
import Foundation
import Testing

@Suite("Manual tasks")
struct ManualTaskTests {
    static let now = Date(timeIntervalSince1970: 1_800_000_000)

    @Test("only analytics and other recipients may be manual")
    func modes() {
        #expect(RecipientKind.allCases.filter { DeliveryMode.allows(.manual, kind: $0) } == [.analytics, .other])
        #expect(RecipientKind.allCases.allSatisfy { DeliveryMode.allows(.api, kind: $0) })
    }

    @Test("evidence: texts trimmed and bounded, the moment neither in the future nor before the task")
    func evidence() throws {
        let valid = try ManualTaskEvidence(
            performedBy: "  Anna  ", performedAt: Self.now, method: .post, reference: "RA123456789RU", note: "line one\nline two",
            taskCreatedAt: Self.now.addingTimeInterval(-3600), now: Self.now)
        #expect(valid.performedBy == "Anna" && valid.note == "line one\nline two")
        func fields(_ body: () throws -> ManualTaskEvidence) -> [String] {
            do { _ = try body(); return [] } catch let failure as ValidationFailure { return failure.errors.map(\.field) } catch { return ["?"] }
        }
        #expect(fields { try ManualTaskEvidence(performedBy: "", performedAt: Self.now, method: .email, reference: "r", note: nil,
                                                 taskCreatedAt: Self.now, now: Self.now) } == ["performed_by"])
        #expect(fields { try ManualTaskEvidence(performedBy: "A", performedAt: Self.now.addingTimeInterval(3600), method: .email, reference: "a\u{7}b",
                                                 note: nil, taskCreatedAt: Self.now, now: Self.now) } == ["reference", "performed_at"])
        #expect(fields { try ManualTaskEvidence(performedBy: "A", performedAt: Self.now.addingTimeInterval(-7200), method: .email, reference: "r",
                                                 note: String(repeating: "x", count: 2001), taskCreatedAt: Self.now.addingTimeInterval(-3600),
                                                 now: Self.now) } == ["note", "performed_at"])
    }

    @Test("the messages name the identities, the reference and the operator, in the recipient's language, and nothing else of the subject")
    func messages() {
        let task = UUID()
        let identities = [OpenDSRIdentity(type: "email", value: "olga@example.com")]
        let erasure = ManualTaskMessage(
            subject: .erasure(regime: .fz152), language: .ru, operatorName: "ООО «Магазин»", recipientName: "CRM", identities: identities, taskID: task)
        #expect(erasure.title.contains("уничтожении") && erasure.body.contains("olga@example.com") && erasure.body.contains("152-ФЗ"))
        #expect(erasure.body.contains(task.uuidString.lowercased()) && erasure.body.hasSuffix("ООО «Магазин»"))
        let rectification = ManualTaskMessage(
            subject: .rectification(corrected: [(.email, "olga.new@example.com")]), language: .en, operatorName: "Shop Ltd",
            recipientName: "CRM", identities: identities, taskID: task)
        #expect(rectification.body.contains("e-mail address: olga.new@example.com") && rectification.body.contains("GDPR Art. 16"))
        let change = ManualTaskMessage(
            subject: .consentChange(purpose: "analytics", action: .withdraw, occurredAt: Self.now), language: .en, operatorName: "Shop Ltd",
            recipientName: "Metrics", identities: [OpenDSRIdentity(type: ErasureIdentityRule.pseudonymType, value: "abc123")], taskID: task)
        #expect(change.title == "Consent withdrawn" && change.body.contains("pseudonymous id: abc123") && change.body.contains("stop processing"))
        let restricted = ManualTaskMessage(
            subject: .restriction(.restricted), language: .en, operatorName: "Shop Ltd", recipientName: "CRM", identities: identities, taskID: task)
        #expect(restricted.title == "Notice of restricted processing" && restricted.body.contains("only store it"))
        let lifted = ManualTaskMessage(
            subject: .restriction(.lifted), language: .ru, operatorName: "ООО «Магазин»", recipientName: "CRM", identities: identities, taskID: task)
        #expect(lifted.title.contains("снятии") && lifted.body.contains("olga@example.com"))
    }
}
