import Foundation

/// What the retention sweep destroys after a consent is withdrawn (152-FZ Art. 21(5): within 30 days of the
/// withdrawal, unless another ground still allows processing; GDPR Art. 17(1)(b)).
///
/// A subject's category (name, e-mail, phone, registration address) is still needed while a purpose using it is
/// active for the subject: a consent-based purpose while granted, or withdrawn less than its window ago; `order_fulfilment`
/// and `delivery` while an order is open or within order_fulfilment's retention; `subject_rights` while a request is open;
/// every other non-consent purpose (the account, support) while the subject holds an account with the shop;
/// `cross_border_transfer`, a condition of other transfers, never. Once a
/// withdrawal's window has passed: when the subject holds nothing still needed, the whole record is destroyed (the
/// erasure, with its cascade to recipients) when no purpose at all is left; otherwise only the categories the withdrawn
/// purposes used and nothing still active needs (a granted analytics consent keeps the record, not the e-mail it
/// does not use).
public enum ConsentWithdrawalRetention {
    /// The law's limit: data kept for a withdrawn consent are destroyed within 30 days.
    public static let maximumDays = 30

    /// Days after a withdrawal within which the purpose's data go: its retention_days, at most ``maximumDays``.
    public static func window(retentionDays: Int) -> Int { min(max(retentionDays, 0), maximumDays) }

    /// A purpose of the catalogue, as far as the rule needs it.
    public struct Purpose: Sendable, Equatable {
        public let code: String
        public let basis: LegalBasis
        public let categories: Set<DataCategory>
        public let retentionDays: Int

        public init(code: String, basis: LegalBasis, categories: Set<DataCategory>, retentionDays: Int) {
            self.code = code
            self.basis = basis
            self.categories = categories
            self.retentionDays = retentionDays
        }
    }

    /// One purpose's current consent state for the subject.
    public struct ConsentState: Sendable, Equatable {
        public let action: ConsentAction
        public let occurredAt: Date

        public init(action: ConsentAction, occurredAt: Date) {
            self.action = action
            self.occurredAt = occurredAt
        }
    }

    /// What the subject's record holds and what keeps it.
    public struct Holdings: Sendable, Equatable {
        /// The categories the subject's own record holds now.
        public let held: Set<DataCategory>
        public let hasAccount: Bool
        /// An order is open, or closed within order_fulfilment's retention.
        public let ordersInRetention: Bool
        public let openRequests: Bool
        /// Current consent state per purpose code.
        public let consents: [String: ConsentState]

        public init(held: Set<DataCategory>, hasAccount: Bool, ordersInRetention: Bool, openRequests: Bool, consents: [String: ConsentState]) {
            self.held = held
            self.hasAccount = hasAccount
            self.ordersInRetention = ordersInRetention
            self.openRequests = openRequests
            self.consents = consents
        }
    }

    /// What the sweep does with one subject.
    public enum Decision: Sendable, Equatable {
        /// Everything held is still needed (or no withdrawal's window has passed).
        case keep
        /// No purpose is left: destroy the whole record; `purposes` are the withdrawn ones that ended it.
        case eraseSubject(purposes: [String], days: Int)
        /// Only these categories go; the record stays for what still needs the rest.
        case destroy(categories: Set<DataCategory>, purposes: [String], days: Int)
    }

    /// Decides for one subject as of `now`.
    public static func decide(purposes: [Purpose], holdings: Holdings, now: Date) -> Decision {
        var needed = Set<DataCategory>()
        var ended: [Purpose] = []
        var anyActive = false
        // Cross-border transfer is a condition of other transfers, not processing of its own: it keeps nothing.
        for purpose in purposes where purpose.code != PurposeCode.crossBorderTransfer {
            if purpose.basis == .consent {
                guard let state = holdings.consents[purpose.code] else { continue }
                let windowEnd = state.occurredAt.addingTimeInterval(TimeInterval(window(retentionDays: purpose.retentionDays)) * 86_400)
                if state.action == .grant || windowEnd > now {
                    needed.formUnion(purpose.categories)
                    anyActive = true
                } else {
                    ended.append(purpose)
                }
            } else if isActive(nonConsent: purpose.code, holdings: holdings) {
                needed.formUnion(purpose.categories)
                anyActive = true
            }
        }
        guard !ended.isEmpty, !holdings.held.isEmpty else { return .keep }
        let codes = ended.map(\.code).sorted()
        let days = ended.map { window(retentionDays: $0.retentionDays) }.max() ?? maximumDays
        // No purpose left at all: the record goes whole (its consents' history stays).
        if !anyActive { return .eraseSubject(purposes: codes, days: days) }
        let released = holdings.held.subtracting(needed).intersection(ended.reduce(into: Set<DataCategory>()) { $0.formUnion($1.categories) })
        return released.isEmpty ? .keep : .destroy(categories: released, purposes: codes, days: days)
    }

    private static func isActive(nonConsent code: String, holdings: Holdings) -> Bool {
        switch code {
        case PurposeCode.orderFulfilment, PurposeCode.delivery: holdings.ordersInRetention
        case PurposeCode.subjectRights: holdings.openRequests
        default: holdings.hasAccount
        }
    }
}
