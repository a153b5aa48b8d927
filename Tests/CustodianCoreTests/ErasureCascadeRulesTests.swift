import CustodianCore
import Testing

@Suite("Erasure cascade rules")
struct ErasureCascadeRulesTests {
    @Test("a cascade is in progress while any request may still move, completed when all completed (or none), failed otherwise",
          arguments: [
              ([], ErasureCascadeStatus.completed),
              ([.completed, .completed], .completed),
              ([.completed, .pending], .inProgress),
              ([.failed, .awaitingConfirmation], .inProgress),
              ([.completed, .failed], .failed),
              ([.completed, .cancelled], .failed),
              ([.cancelled], .failed),
          ] as [([ErasureRequestStatus], ErasureCascadeStatus)])
    func cascadeStatus(requests: [ErasureRequestStatus], expected: ErasureCascadeStatus) {
        #expect(ErasureCascadeStatus(requests: requests) == expected)
    }

    @Test("only completed, failed and cancelled requests are settled")
    func settled() {
        #expect(ErasureRequestStatus.allCases.filter(\.isSettled) == [.completed, .failed, .cancelled])
    }

    @Test("a recipient is named only the identities it was given: e-mails if it got e-mail, phones if it got phones, and its orders")
    func identities() {
        let courier = ErasureIdentityRule.identities(
            receivedCategories: [.fullName, .phone, .deliveryAddress], emails: ["a@example.com"], phones: ["+79030000002", "+79030000001", "+79030000002"],
            orderReferences: ["SO-2", "SO-1", "SO-2"])
        #expect(courier.map(\.identityType) == ["phone_number", "phone_number", "order_reference", "order_reference"])
        #expect(courier.map(\.identityValue) == ["+79030000001", "+79030000002", "SO-1", "SO-2"], "sorted, each once")

        let mail = ErasureIdentityRule.identities(
            receivedCategories: [.email, .fullName], emails: ["b@example.com", "a@example.com"], phones: ["+79030000001"], orderReferences: [])
        #expect(mail.map(\.identityValue) == ["a@example.com", "b@example.com"], "no phone to a recipient that never got one")

        let analytics = ErasureIdentityRule.identities(receivedCategories: [.fullName], emails: ["a@example.com"], phones: ["+7903"], orderReferences: [])
        #expect(analytics.isEmpty, "a name alone is no identity to send")
        #expect(mail.allSatisfy { $0.identityFormat == "raw" })
    }
}
