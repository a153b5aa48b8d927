import CustodianCore
import Foundation
import Testing

@Suite("Retention after a withdrawal")
struct ConsentWithdrawalRetentionTests {
    typealias Rule = ConsentWithdrawalRetention
    static let now = Date(timeIntervalSince1970: 1_800_000_000)
    static let catalogue: [Rule.Purpose] = [
        .init(code: "account", basis: .contract, categories: [.fullName, .email, .phone, .registrationAddress], retentionDays: 1095),
        .init(code: "order_fulfilment", basis: .contract, categories: [.fullName, .email, .phone, .deliveryAddress], retentionDays: 1825),
        .init(code: "support", basis: .legitimateInterest, categories: [.fullName, .email, .phone], retentionDays: 365),
        .init(code: "subject_rights", basis: .legalObligation, categories: [.fullName, .email, .phone], retentionDays: 1095),
        .init(code: "newsletter", basis: .consent, categories: [.fullName, .email], retentionDays: 30),
        .init(code: "sms_offers", basis: .consent, categories: [.phone], retentionDays: 90),
        .init(code: "quick", basis: .consent, categories: [.email], retentionDays: 7),
    ]

    static func withdrawn(daysAgo: Double) -> Rule.ConsentState {
        .init(action: .withdraw, occurredAt: now.addingTimeInterval(-daysAgo * 86_400))
    }

    static func holdings(
        held: Set<DataCategory> = [.fullName, .email], account: Bool = false, orders: Bool = false, requests: Bool = false,
        consents: [String: Rule.ConsentState]
    ) -> Rule.Holdings {
        .init(held: held, hasAccount: account, ordersInRetention: orders, openRequests: requests, consents: consents)
    }

    @Test("a newsletter-only subscriber is erased once 30 days have passed since the withdrawal, not before")
    func newsletterOnly() {
        #expect(Rule.decide(purposes: Self.catalogue, holdings: Self.holdings(consents: ["newsletter": Self.withdrawn(daysAgo: 29)]), now: Self.now) == .keep)
        #expect(Rule.decide(purposes: Self.catalogue, holdings: Self.holdings(consents: ["newsletter": Self.withdrawn(daysAgo: 31)]), now: Self.now)
                == .eraseSubject(purposes: ["newsletter"], days: 30))
    }

    @Test("an account, an order within its retention or an open request keeps what they use")
    func otherPurposesKeep() {
        let consents = ["newsletter": Self.withdrawn(daysAgo: 40)]
        #expect(Rule.decide(purposes: Self.catalogue, holdings: Self.holdings(account: true, consents: consents), now: Self.now) == .keep)
        #expect(Rule.decide(purposes: Self.catalogue, holdings: Self.holdings(orders: true, consents: consents), now: Self.now) == .keep)
        #expect(Rule.decide(purposes: Self.catalogue, holdings: Self.holdings(requests: true, consents: consents), now: Self.now) == .keep)
    }

    @Test("a category only a withdrawn purpose used goes; what a granted consent uses stays, and so does the record")
    func partial() {
        let holdings = Self.holdings(
            held: [.fullName, .email, .phone],
            consents: ["newsletter": .init(action: .grant, occurredAt: Self.now), "sms_offers": Self.withdrawn(daysAgo: 31)])
        #expect(Rule.decide(purposes: Self.catalogue, holdings: holdings, now: Self.now) == .destroy(categories: [.phone], purposes: ["sms_offers"], days: 30))
    }

    @Test("the window is the purpose's retention_days, at most the law's 30")
    func window() {
        #expect(Rule.window(retentionDays: 90) == 30 && Rule.window(retentionDays: 7) == 7 && Rule.window(retentionDays: 0) == 0)
        let quick = Self.holdings(held: [.email], consents: ["quick": Self.withdrawn(daysAgo: 8)])
        #expect(Rule.decide(purposes: Self.catalogue, holdings: quick, now: Self.now) == .eraseSubject(purposes: ["quick"], days: 7))
        let pending = Self.holdings(consents: ["quick": Self.withdrawn(daysAgo: 8), "newsletter": Self.withdrawn(daysAgo: 10)])
        #expect(Rule.decide(purposes: Self.catalogue, holdings: pending, now: Self.now) == .keep,
                "the newsletter's window is still open: its name and e-mail wait, and quick used nothing else")
    }

    @Test("a cross-border consent, a condition of other transfers, keeps nothing")
    func crossBorderKeepsNothing() {
        let catalogue = Self.catalogue + [.init(code: "cross_border_transfer", basis: .consent, categories: [.fullName, .email, .phone], retentionDays: 30)]
        let holdings = Self.holdings(consents: [
            "newsletter": Self.withdrawn(daysAgo: 31), "cross_border_transfer": .init(action: .grant, occurredAt: Self.now),
        ])
        #expect(Rule.decide(purposes: catalogue, holdings: holdings, now: Self.now) == .eraseSubject(purposes: ["newsletter"], days: 30))
    }

    @Test("nothing held or nothing withdrawn: nothing to do")
    func nothing() {
        #expect(Rule.decide(purposes: Self.catalogue, holdings: Self.holdings(held: [], consents: ["newsletter": Self.withdrawn(daysAgo: 40)]), now: Self.now) == .keep)
        #expect(Rule.decide(purposes: Self.catalogue, holdings: Self.holdings(consents: [:]), now: Self.now) == .keep)
    }

    @Test("the receipt states what the sweep does, with the window")
    func receipt() {
        let text = ConsentReceipt.termination(retentionDays: 90)
        #expect(text.contains("Within 30 days of the withdrawal") && text.contains("destruction act") && text.contains("recipient"))
    }
}
